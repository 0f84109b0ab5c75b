//! The `liantiao` command: parse arguments, set up logging, dispatch.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Emulates ERP, Qimen/Cainiao gateway and WMS for warehouse go-live tests.
#[derive(Debug, Parser)]
#[command(name = "liantiao", version, about)]
struct Cli {
    /// More log output (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compute a signature and explain a mismatch.
    #[command(subcommand)]
    Sign(SignCommand),
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
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
