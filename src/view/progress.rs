//! The progress of an apply, shown three ways: a live counter with a line per finished
//! operation on a terminal, plain lines otherwise, and one JSON object per line with
//! `--json` (a stable machine interface: the README documents its events).

use std::sync::Mutex;

use indicatif::{ProgressBar, ProgressStyle};

use crate::apply::{Event, EventSink};

/// One JSON object per line on standard output.
pub struct JsonLines;

impl EventSink for JsonLines {
    fn event(&self, e: &Event) {
        let line = serde_json::to_string(e).expect("events serialize");
        outln!("{line}");
    }
}

/// Human lines, with a live counter when standard error is a terminal.
pub struct Human {
    bar: Option<ProgressBar>,
    done: Mutex<usize>,
}

impl Human {
    pub fn new(terminal: bool) -> Self {
        Human {
            bar: terminal.then(|| {
                let bar = ProgressBar::new(0);
                bar.set_style(
                    ProgressStyle::with_template(
                        "{spinner} {pos}/{len} operations {elapsed} {wide_msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                bar
            }),
            done: Mutex::new(0),
        }
    }

    fn line(&self, text: String) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => outln!("{text}"),
        }
    }
}

impl EventSink for Human {
    fn event(&self, e: &Event) {
        match e {
            Event::Started { operations } => {
                if let Some(bar) = &self.bar {
                    bar.set_length(*operations as u64);
                }
            }
            Event::OpStarted { operation, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_message(operation.clone());
                }
            }
            Event::OpFinished {
                address,
                operation,
                millis,
                error,
                ..
            } => {
                *self.done.lock().expect("done lock") += 1;
                if let Some(bar) = &self.bar {
                    bar.inc(1);
                }
                match error {
                    None => self.line(format!("{address}: {operation} ({millis} ms)")),
                    Some(err) => self.line(format!("{address}: {operation} FAILED: {err}")),
                }
            }
            Event::Interrupted { running } => self.line(format!(
                "Interrupted: no new operations start; waiting for {running} running ones to finish."
            )),
            Event::Internal { message } => self.line(format!("internal error: {message}")),
            Event::Finished { .. } => {
                if let Some(bar) = &self.bar {
                    bar.finish_and_clear();
                }
            }
        }
    }
}
