//! The embedded AWS Organizations + IAM + STS emulator: AWS's rules, quotas, error codes and
//! rate limits on a virtual clock, with its whole state in one JSON file.
