//! The settings of one command, resolved once from the command line, the environment, the
//! configuration's `backend` block or a saved plan: which backend (emulator paths made
//! absolute), whether a missing emulator state may be created, color, the pre-check mode and
//! `--as-policy`. Commands read their settings from here and nowhere else, so two commands
//! cannot resolve the same option two ways.
//!
//! Relative paths mean what the user sees where they wrote them: `--backend emulator:PATH`
//! is relative to the working directory, a `backend "emulator" { path }` block to the
//! configuration's directory, and a path inside a saved plan (older plans stored it as
//! given) to the plan file's directory.

use std::ffi::OsStr;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::api::{AwsOptions, BackendChoice};

/// What the command line and the environment say, before anything is resolved. The command
/// line fills it from its options; a program driving the operations fills it itself.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// `--backend`: `emulator:PATH` or `aws`, as typed.
    pub backend: Option<String>,
    pub endpoint_url: Option<String>,
    pub profile: Option<String>,
    pub region: Option<String>,
    pub precheck: PrecheckMode,
    pub as_policy: Option<PathBuf>,
    pub no_color: bool,
}

/// How the permission pre-check runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum PrecheckMode {
    /// Refuse to apply on any denial or unknown.
    #[default]
    Strict,
    /// Report denials and go on.
    Warn,
    /// Skip the pre-check.
    Off,
}

/// What a command does when its emulator state file does not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingState {
    /// Create it with a fresh organization (`apply`; `emulator init` creates its own).
    Create,
    /// Read a fresh organization without writing anything, and say so (`plan`).
    Empty,
    /// Refuse: a mistyped path must not look like an empty organization (`graph`, `import`,
    /// `snapshot`).
    Refuse,
}

/// Everything a command needs to know besides its own arguments.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The backend, with an emulator path made absolute.
    pub backend: BackendChoice,
    pub missing_state: MissingState,
    pub color: bool,
    pub precheck: PrecheckMode,
    pub as_policy: Option<PathBuf>,
    /// Whether an apply holds the organization's apply lock: on for AWS, off for the
    /// emulator (whose state file is locked while in use) unless `apply --lock` says.
    pub apply_lock: bool,
}

/// Where the backend comes from when `--backend` does not say.
pub enum Configured<'a> {
    /// No configuration (`import`): AWS.
    Nothing,
    /// A configuration's `backend` block, relative paths against its directory.
    Config {
        block: Option<&'a BackendChoice>,
        dir: &'a Path,
    },
    /// A saved plan's backend, relative paths against the plan file's directory.
    SavedPlan {
        backend: Option<&'a BackendChoice>,
        file: &'a Path,
    },
}

impl Settings {
    /// Resolves the settings of a command from its flags and where its backend may be
    /// configured.
    pub fn resolve(
        flags: &Flags,
        configured: Configured<'_>,
        missing_state: MissingState,
    ) -> anyhow::Result<Settings> {
        let from_flag = match &flags.backend {
            Some(text) => Some(
                text.parse::<BackendChoice>()
                    .map_err(anyhow::Error::msg)
                    .context("--backend")?,
            ),
            None => None,
        };
        let mut backend = match from_flag {
            Some(choice) => absolute(choice, Path::new("."))?,
            None => match configured {
                Configured::Nothing => BackendChoice::Aws(AwsOptions::default()),
                Configured::Config { block, dir } => match block {
                    Some(b) => absolute(b.clone(), dir)?,
                    None => BackendChoice::Aws(AwsOptions::default()),
                },
                Configured::SavedPlan { backend, file } => match backend {
                    Some(b) => {
                        let dir = file.parent().unwrap_or(Path::new("."));
                        absolute(b.clone(), dir)?
                    }
                    None => BackendChoice::Aws(AwsOptions::default()),
                },
            },
        };
        if let BackendChoice::Aws(o) = &mut backend {
            if flags.profile.is_some() {
                o.profile = flags.profile.clone();
            }
            if flags.region.is_some() {
                o.region = flags.region.clone();
            }
            if flags.endpoint_url.is_some() {
                o.endpoint_url = flags.endpoint_url.clone();
            }
        }
        let apply_lock = matches!(backend, BackendChoice::Aws(_));
        Ok(Settings {
            apply_lock,
            backend,
            missing_state,
            color: color(flags.no_color),
            precheck: flags.precheck,
            as_policy: flags.as_policy.clone(),
        })
    }
}

/// An emulator path made absolute against `base` (itself made absolute against the working
/// directory): a saved plan then names the same file from wherever it is applied.
fn absolute(choice: BackendChoice, base: &Path) -> anyhow::Result<BackendChoice> {
    Ok(match choice {
        BackendChoice::Emulator { path } => {
            let joined = if path.is_relative() {
                base.join(&path)
            } else {
                path
            };
            let path = std::path::absolute(&joined)
                .with_context(|| format!("resolving the emulator path {}", joined.display()))?;
            BackendChoice::Emulator { path }
        }
        other => other,
    })
}

/// Whether standard output gets colors: not with `--no-color`, a non-empty `NO_COLOR`
/// (<https://no-color.org>), `TERM=dumb`, or when standard output is not a terminal.
pub fn color(no_color_flag: bool) -> bool {
    color_wanted(
        no_color_flag,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

/// [`color`] for what is written to standard error (diagnostics).
pub fn color_stderr(no_color_flag: bool) -> bool {
    color_wanted(
        no_color_flag,
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
        std::io::stderr().is_terminal(),
    )
}

fn color_wanted(
    no_color_flag: bool,
    no_color_env: Option<&OsStr>,
    term: Option<&OsStr>,
    is_terminal: bool,
) -> bool {
    !no_color_flag
        && no_color_env.is_none_or(OsStr::is_empty)
        && term != Some(OsStr::new("dumb"))
        && is_terminal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_follows_the_flag_no_color_term_and_the_terminal() {
        let on = |flag, env: Option<&str>, term: Option<&str>, tty| {
            color_wanted(flag, env.map(OsStr::new), term.map(OsStr::new), tty)
        };
        assert!(on(false, None, Some("xterm"), true));
        assert!(!on(true, None, Some("xterm"), true));
        assert!(!on(false, Some("1"), Some("xterm"), true));
        // An empty NO_COLOR does not count, as no-color.org says.
        assert!(on(false, Some(""), Some("xterm"), true));
        assert!(!on(false, None, Some("dumb"), true));
        assert!(on(false, None, None, true));
        assert!(!on(false, None, Some("xterm"), false));
    }

    fn common(backend: Option<&str>) -> Flags {
        Flags {
            backend: backend.map(str::to_string),
            ..Flags::default()
        }
    }

    fn emulator_path(s: &Settings) -> PathBuf {
        match &s.backend {
            BackendChoice::Emulator { path } => path.clone(),
            other => panic!("not the emulator: {other:?}"),
        }
    }

    #[test]
    fn a_backend_block_path_is_relative_to_the_configuration() {
        let block = BackendChoice::Emulator {
            path: ".orgchard/emulator.json".into(),
        };
        let dir = Path::new("/srv/org/config");
        let s = Settings::resolve(
            &common(None),
            Configured::Config {
                block: Some(&block),
                dir,
            },
            MissingState::Create,
        )
        .unwrap();
        assert_eq!(
            emulator_path(&s),
            Path::new("/srv/org/config/.orgchard/emulator.json")
        );
    }

    #[test]
    fn a_saved_plan_path_is_relative_to_the_plan_file_and_the_flag_to_the_working_directory() {
        let backend = BackendChoice::Emulator {
            path: "state.json".into(),
        };
        let s = Settings::resolve(
            &common(None),
            Configured::SavedPlan {
                backend: Some(&backend),
                file: Path::new("/srv/plans/p.json"),
            },
            MissingState::Create,
        )
        .unwrap();
        assert_eq!(emulator_path(&s), Path::new("/srv/plans/state.json"));

        let s = Settings::resolve(
            &common(Some("emulator:x/state.json")),
            Configured::Config {
                block: Some(&backend),
                dir: Path::new("/srv/org"),
            },
            MissingState::Refuse,
        )
        .unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(emulator_path(&s), cwd.join("x/state.json"));
    }

    #[test]
    fn a_bad_backend_names_the_option_and_what_is_accepted() {
        let e = Settings::resolve(
            &common(Some("emulatr:x.json")),
            Configured::Nothing,
            MissingState::Refuse,
        )
        .unwrap_err();
        let text = format!("{e:#}");
        assert!(
            text.contains("--backend") && text.contains("emulator:PATH"),
            "{text}"
        );
    }
}
