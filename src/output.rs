//! Writing to standard output and standard error without ever stopping the work. `println!`
//! panics when a stream is closed (`orgchard apply | head`), which in the middle of an apply
//! would leave creations in progress and operations not started. These macros write the same
//! text, and after the first failed write on a stream they stop writing to it: the command
//! finishes its work and exits with its own status, whoever stopped reading.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);
static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

fn write(closed: &AtomicBool, mut stream: impl Write, args: fmt::Arguments<'_>) {
    if closed.load(Ordering::Relaxed) {
        return;
    }
    if stream
        .write_fmt(args)
        .and_then(|()| stream.flush())
        .is_err()
    {
        closed.store(true, Ordering::Relaxed);
    }
}

/// Writes to standard output; ignored once standard output could not be written.
pub fn stdout(args: fmt::Arguments<'_>) {
    write(&STDOUT_CLOSED, std::io::stdout().lock(), args);
}

/// Writes to standard error; ignored once standard error could not be written.
pub fn stderr(args: fmt::Arguments<'_>) {
    write(&STDERR_CLOSED, std::io::stderr().lock(), args);
}

/// `print!` that never panics.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::stdout(format_args!($($arg)*)) };
}

/// `println!` that never panics.
macro_rules! outln {
    () => { $crate::output::stdout(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::stdout(format_args!("{}\n", format_args!($($arg)*))) };
}

/// `eprint!` that never panics.
macro_rules! err {
    ($($arg:tt)*) => { $crate::output::stderr(format_args!($($arg)*)) };
}

/// `eprintln!` that never panics.
macro_rules! errln {
    () => { $crate::output::stderr(format_args!("\n")) };
    ($($arg:tt)*) => { $crate::output::stderr(format_args!("{}\n", format_args!($($arg)*))) };
}

/// Messages longer than this many characters are shortened in the middle.
pub const MAX_MESSAGE_CHARS: usize = 2000;

/// `text` with its middle replaced by a count of what was left out when it is longer than
/// [`MAX_MESSAGE_CHARS`]: a message quoting a 5 MB value keeps its start and its end (which
/// says what is wrong) and stays readable. Cuts fall on character boundaries.
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    let chars = text.chars().count();
    if chars <= MAX_MESSAGE_CHARS {
        return text.into();
    }
    let keep_start = MAX_MESSAGE_CHARS * 3 / 5;
    let keep_end = MAX_MESSAGE_CHARS / 5;
    let start_end = text
        .char_indices()
        .nth(keep_start)
        .map_or(text.len(), |(i, _)| i);
    let end_start = text
        .char_indices()
        .nth(chars - keep_end)
        .map_or(text.len(), |(i, _)| i);
    format!(
        "{} … ({} characters left out) … {}",
        &text[..start_end],
        chars - keep_start - keep_end,
        &text[end_start..]
    )
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_keep_their_start_and_end_and_cut_between_characters() {
        let value = "é".repeat(5_000_000);
        let message = format!("account name \"{value}\" is too long (at most 50)");
        let short = shorten(&message);
        assert!(
            short.chars().count() < MAX_MESSAGE_CHARS + 100,
            "{}",
            short.len()
        );
        assert!(short.starts_with("account name \"éé"));
        assert!(short.ends_with("éé\" is too long (at most 50)"));
        assert!(short.contains("characters left out"));
        assert_eq!(shorten("short"), "short");
    }
}
