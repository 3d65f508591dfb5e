//! `orgchard emulator init|stats|export|serve`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};

use crate::backend::emulator::{self, InitOptions};

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Create an emulator state file: a fresh organization, or a copy of a snapshot.
    Init(InitArgs),
    /// Print the calls the emulator received, per API, and its virtual elapsed time.
    Stats(StatsArgs),
    /// Print the whole state, its journal replayed, as indented JSON (the layout of a state
    /// file, so the output can be saved as one).
    Export(ExportArgs),
    /// Serve the emulator over AWS's wire protocols until interrupted (Ctrl-C or SIGTERM).
    ///
    /// Organizations answers on awsJson1_1, IAM and STS on the query protocol, the Account
    /// service on restJson1, all at one endpoint: point a client at it with
    /// AWS_ENDPOINT_URL. Requests are attributed by the access key id of their signature:
    /// the management caller's keys (printed at start), the temporary keys AssumeRole returns
    /// for any role its trust policy lets the caller assume (calls then act as that role
    /// session: in the role's account, under the role's policies and that account's SCPs), and
    /// any other key, so dummy credentials work, acts as the management caller. Signatures are
    /// not verified unless --verify-signatures is given.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The state file (created with a fresh organization when missing).
    pub path: PathBuf,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,
    /// The port to listen on; 0 picks a free one (the endpoint printed says which).
    #[arg(long, default_value_t = 4566)]
    pub port: u16,
    /// Virtual seconds per real second: at 60, a 60-second account creation completes in one
    /// real second, and a rate limit of one call per second admits sixty per real second.
    #[arg(long, value_name = "X", default_value_t = 1.0)]
    pub time_scale: f64,
    /// Accept only requests signed (SigV4) with keys the emulator issued: the management
    /// caller's keys printed at start and the temporary keys of AssumeRole (with their session
    /// token). Any other key is refused (InvalidClientTokenId, or UnrecognizedClientException
    /// for Organizations and Account) instead of acting as the management caller, and a wrong
    /// signature is refused (SignatureDoesNotMatch, or InvalidSignatureException).
    #[arg(long)]
    pub verify_signatures: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The state file.
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The state file to create.
    pub path: PathBuf,
    /// Start from this snapshot (written by `orgchard snapshot`).
    #[arg(long, value_name = "SNAPSHOT")]
    pub from: Option<PathBuf>,
    /// An identity policy of the emulated caller (repeatable). Default: administrator.
    #[arg(long, value_name = "FILE")]
    pub caller_policy: Vec<PathBuf>,
    /// Seed for fault injection and generated ids.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Fault injection: throttle=R,concurrent=R,server=R,crash_after=N.
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// Virtual latency per call, in milliseconds.
    #[arg(long, value_name = "N")]
    pub latency_ms: Option<u64>,
    /// AWS's per-API request rates on the virtual clock.
    #[arg(long, value_name = "aws|off")]
    pub rate_limits: Option<String>,
    /// Override a quota: NAME=N (repeatable).
    #[arg(long, value_name = "NAME=N")]
    pub quota: Vec<String>,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The state file.
    pub path: PathBuf,
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: EmulatorCommand) -> anyhow::Result<ExitCode> {
    match command {
        EmulatorCommand::Init(args) => init(args),
        EmulatorCommand::Stats(args) => stats(args),
        EmulatorCommand::Export(args) => export(args),
        EmulatorCommand::Serve(args) => serve(args),
    }
}

/// Turns the command-line options into [`InitOptions`], naming the option of any bad value.
fn init_options(args: &InitArgs) -> anyhow::Result<InitOptions> {
    let mut options = InitOptions {
        from: args.from.clone(),
        ..InitOptions::default()
    };
    if let Some(seed) = args.seed {
        options.seed = seed;
    }
    if let Some(spec) = &args.faults {
        options.faults = emulator::parse_faults(spec)?;
    }
    if let Some(ms) = args.latency_ms {
        options.latency_ms = ms;
    }
    options.rate_limits = match args.rate_limits.as_deref() {
        None | Some("aws") => true,
        Some("off") => false,
        Some(other) => bail!("invalid --rate-limits {other:?}: accepted are `aws` and `off`"),
    };
    for q in &args.quota {
        let (name, value) = q
            .split_once('=')
            .with_context(|| format!("invalid --quota {q:?}: expected NAME=N"))?;
        if emulator::default_quota(name).is_none() {
            bail!(
                "invalid --quota {q:?}: unknown quota {name:?}; accepted quotas: {}",
                emulator::quota_names()
            );
        }
        let value: u64 = value
            .parse()
            .map_err(|_| anyhow!("invalid --quota {q:?}: {value:?} is not a whole number"))?;
        options.quotas.insert(name.to_string(), value);
    }
    for file in &args.caller_policy {
        let doc = std::fs::read_to_string(file)
            .with_context(|| format!("--caller-policy {}", file.display()))?;
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "caller-policy".into());
        options.caller_policies.push((name, doc));
    }
    Ok(options)
}

fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    let options = init_options(&args)?;
    emulator::init(&args.path, &options)?;
    let state = emulator::store::load(&args.path)?;
    outln!(
        "Created emulator state {}: organization {}, management account {}, root {}.",
        args.path.display(),
        state.organization.id,
        state.organization.management_account_id,
        state.organization.root_id
    );
    let keys = crate::serve::management_keys(&state);
    outln!(
        "The management caller's access keys (for `orgchard emulator serve`): AWS_ACCESS_KEY_ID={} AWS_SECRET_ACCESS_KEY={}",
        keys.access_key_id,
        keys.secret_access_key
    );
    Ok(ExitCode::SUCCESS)
}

fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        bail!(
            "invalid --time-scale {}: accepted is a number greater than 0",
            args.time_scale
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the server's runtime")?;
    rt.block_on(async {
        let options = crate::backend::ConnectOptions::default();
        let shutdown = crate::serve::interrupted().context("listening for signals")?;
        let mut emulator = emulator::Emulator::open(&args.path, &options)?;
        emulator.set_time_scale(args.time_scale);
        let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
            .await
            .with_context(|| format!("listening on {}:{}", args.host, args.port))?;
        let endpoint = crate::serve::endpoint(listener.local_addr()?);
        emulator.announce_endpoint(&endpoint)?;
        let keys = crate::serve::management_keys(&emulator.state());
        outln!(
            "Serving emulator state {} at {endpoint} (Ctrl-C or SIGTERM stops it).",
            args.path.display()
        );
        if args.verify_signatures {
            outln!(
                "Signatures are verified: requests must be signed with these keys or with the temporary keys of AssumeRole."
            );
        } else {
            outln!(
                "Signatures are not verified: any other access key acts as the management caller."
            );
        }
        outln!("A client needs:");
        outln!("  export AWS_ENDPOINT_URL={endpoint}");
        outln!("  export AWS_ACCESS_KEY_ID={}", keys.access_key_id);
        outln!("  export AWS_SECRET_ACCESS_KEY={}", keys.secret_access_key);
        // The AWS CLI v1 reads the region from AWS_DEFAULT_REGION; the SDKs from AWS_REGION.
        outln!("  export AWS_DEFAULT_REGION={}", crate::serve::REGION);
        outln!("  export AWS_REGION={}", crate::serve::REGION);
        let emulator = std::sync::Arc::new(emulator);
        crate::serve::Serve {
            emulator: emulator.clone(),
            verify_signatures: args.verify_signatures,
        }
        .run(listener, shutdown)
        .await?;
        // The last reference: dropping it saves the state and releases the lock.
        drop(emulator);
        outln!("Stopped; the state is saved in {}.", args.path.display());
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let state = emulator::store::load(&args.path)?;
    let text = serde_json::to_string_pretty(&state)?;
    match writeln!(std::io::stdout().lock(), "{text}") {
        // A reader that stopped early (`| head`) wanted no more.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other?,
    }
    Ok(ExitCode::SUCCESS)
}

fn stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    // The state file is replaced atomically and the journal only appended to, so both can be
    // read while another process uses them.
    let state = emulator::store::load(&args.path)?;
    let stats = emulator::Stats::of(&state);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&stats)?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{:<40} {:>8} {:>8}  kind", "API", "calls", "errors");
    for (name, c) in &stats.calls {
        let kind = if c.mutating { "mutation" } else { "read" };
        outln!("{name:<40} {:>8} {:>8}  {kind}", c.calls, c.errors);
    }
    outln!(
        "Total: {} reads, {} mutations, {} errors; virtual time elapsed {:.3} s.",
        stats.reads,
        stats.mutations,
        stats.errors,
        stats.virtual_elapsed_ms as f64 / 1000.0
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(extra: &[&str]) -> InitArgs {
        use clap::Parser;
        #[derive(Parser)]
        struct Wrapper {
            #[command(flatten)]
            init: InitArgs,
        }
        let mut argv = vec!["x", "state.json"];
        argv.extend_from_slice(extra);
        Wrapper::parse_from(argv).init
    }

    #[test]
    fn options_are_parsed_and_bad_values_named() {
        let o = init_options(&args(&[
            "--seed",
            "9",
            "--faults",
            "throttle=0.5",
            "--latency-ms",
            "20",
            "--rate-limits",
            "off",
            "--quota",
            "accounts=50",
        ]))
        .unwrap();
        assert_eq!(o.seed, 9);
        assert_eq!(o.faults.throttle, 0.5);
        assert_eq!(o.latency_ms, 20);
        assert!(!o.rate_limits);
        assert_eq!(o.quotas["accounts"], 50);

        let e = init_options(&args(&["--rate-limits", "fast"])).unwrap_err();
        assert!(e.to_string().contains("--rate-limits") && e.to_string().contains("`off`"));
        let e = init_options(&args(&["--quota", "bananas=3"])).unwrap_err();
        assert!(e.to_string().contains("accepted quotas"), "{e}");
        let e = init_options(&args(&["--quota", "accounts=x"])).unwrap_err();
        assert!(e.to_string().contains("not a whole number"), "{e}");
        let e = init_options(&args(&["--faults", "crash_after=0"])).unwrap_err();
        assert!(e.to_string().contains("--faults"), "{e}");
    }
}
