//! The AWS backend: the [`super::Api`] seam implemented with the AWS SDK. The only module
//! that imports AWS SDK types.
