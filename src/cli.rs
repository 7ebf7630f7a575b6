//! [ssr] Operator commands of the server binary.
//!
//! `sesame create-user --username U --email E` makes an account without the
//! web form; the password is read from standard input, never from the
//! command line (where `ps` and shell history would show it).
use crate::{
    config::Settings,
    credentials::password::Hasher,
    db::Db,
    users::db::{self, Insert},
    users::validate::{Email, Password, Username},
};
use anyhow::{bail, Context};

pub const USAGE: &str = "usage: sesame [create-user --username NAME --email ADDRESS]
  (no command)   serve the app
  create-user    add an account; the password is read from standard input";

/// Runs `args` (without the program name) as a command; `Ok(false)` when
/// there is none and the server should start.
pub async fn run(args: &[String], settings: &Settings) -> anyhow::Result<bool> {
    match args.first().map(String::as_str) {
        None => Ok(false),
        Some("create-user") => {
            create_user(&args[1..], settings).await?;
            Ok(true)
        }
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(true)
        }
        Some(other) => bail!("unknown command {other:?}\n{USAGE}"),
    }
}

async fn create_user(args: &[String], settings: &Settings) -> anyhow::Result<()> {
    let (mut username, mut email) = (None, None);
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .with_context(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--username" => username = Some(value),
            "--email" => email = Some(value),
            _ => bail!("unknown option {flag:?}\n{USAGE}"),
        }
    }
    let username = Username::parse(username.context(USAGE)?).map_err(anyhow::Error::msg)?;
    let email = Email::parse(email.context(USAGE)?).map_err(anyhow::Error::msg)?;
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password =
        Password::parse(line.trim_end_matches(['\r', '\n'])).map_err(anyhow::Error::msg)?;

    let db = Db::connect(&settings.database_url).await?;
    let (name_taken, email_taken) = db::taken(&db, Some(&username), Some(&email)).await?;
    if name_taken || email_taken {
        bail!("that username or email is already registered");
    }
    let hash = Hasher::new(1)?.hash(password).await?;
    match db::insert(&db, &username, &email, &hash).await? {
        Insert::Created(user) => println!("created user {} (id {})", user.username, user.id),
        Insert::Conflict => bail!("that username or email is already registered"),
    }
    Ok(())
}
