//! Planning: read the live organization, match configuration blocks to live resources, diff
//! them into changes, and order the changes' API operations in a dependency graph.
pub mod read;
