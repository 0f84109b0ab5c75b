//! The `liantiao` command: parse arguments, set up logging, dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mocks::observe::Party;

/// Emulates ERP, Qimen/Cainiao gateway and WMS for warehouse go-live tests.
#[derive(Debug, Parser)]
#[command(name = "liantiao", version)]
struct Cli {
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario through ERP, gateway and WMS; check and report.
    ///
    /// Exit status: 0 when every expectation holds, 1 when any fails,
    /// 2 when the scenario or the run cannot be carried out.
    Run {
        /// Scenario file (TOML), e.g. scenarios/golive.toml.
        scenario: PathBuf,
        /// Seed for the plan and the parties' decisions (default: the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Report folder (default: reports/<scenario>-<timestamp>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Multiply every flow's count (default: the scenario's `scale`).
        #[arg(long)]
        scale: Option<f64>,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Compute a signature and explain a mismatch.
    #[command(subcommand)]
    Sign(SignCommand),
    /// Run mock parties on loopback until Ctrl-C.
    Serve {
        /// Which party to run.
        #[arg(value_enum)]
        party: ServeTarget,
        /// Onboarding configuration (TOML); every key has a default.
        #[arg(long)]
        config: Option<PathBuf>,
        /// Seed for the parties' random decisions.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ServeTarget {
    Erp,
    Gateway,
    Wms,
    All,
}

impl ServeTarget {
    fn parties(self) -> Vec<Party> {
        match self {
            ServeTarget::Erp => vec![Party::Erp],
            ServeTarget::Gateway => vec![Party::Gateway],
            ServeTarget::Wms => vec![Party::Wms],
            ServeTarget::All => vec![Party::Erp, Party::Gateway, Party::Wms],
        }
    }
}

#[derive(Debug, Subcommand)]
enum SignCommand {
    /// Qimen `sign` over the sorted query parameters and the raw body.
    Qimen {
        /// The app secret.
        #[arg(long)]
        secret: String,
        /// The query string as sent, e.g. 'method=...&timestamp=...&sign=...'.
        #[arg(long)]
        query: String,
        /// File holding the raw request body, byte for byte.
        #[arg(long)]
        body: PathBuf,
        /// The sign the other side produced or expects.
        #[arg(long)]
        expect: Option<String>,
    },
    /// Cainiao `data_digest` over the logistics_interface content.
    Cainiao {
        /// The app secret issued with the provider id.
        #[arg(long)]
        secret: String,
        /// File holding the logistics_interface content, byte for byte.
        #[arg(long)]
        content: PathBuf,
        /// The digest the other side produced or expects.
        #[arg(long)]
        expect: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    sim::logging::init(cli.verbose);

    let result = match cli.command {
        Command::Sign(SignCommand::Qimen {
            secret,
            query,
            body,
            expect,
        }) => sim::sign::qimen(&secret, &query, &body, expect.as_deref()),
        Command::Sign(SignCommand::Cainiao {
            secret,
            content,
            expect,
        }) => sim::sign::cainiao(&secret, &content, expect.as_deref()),
        Command::Run {
            scenario,
            seed,
            out,
            scale,
            quiet,
        } => {
            let options = sim::run::RunOptions {
                seed,
                out,
                progress: !quiet,
            };
            run_scenario(&scenario, scale, &options)
        }
        Command::Serve {
            party,
            config,
            seed,
        } => run_async(sim::serve::serve(&party.parties(), config.as_deref(), seed))
            .map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", describe(&e));
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, leaving out a cause its message already says.
fn describe(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

fn run_scenario(
    path: &std::path::Path,
    scale: Option<f64>,
    options: &sim::run::RunOptions,
) -> anyhow::Result<ExitCode> {
    let mut valid = sim::scenario::load_valid(path)?;
    if let Some(scale) = scale {
        if !(scale.is_finite() && scale > 0.0) {
            anyhow::bail!("--scale {scale}: must be a number above 0");
        }
        valid.scale = scale;
    }
    let scenario = sim::scenario::resolve(valid)?;
    let report = run_async(async { Ok(sim::run::run(&scenario, options).await?) })?;
    print!("{}", report.summary());
    Ok(if report.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_async<T>(future: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(future)
}
