//! [ssr] Settings, read once at start-up.
//!
//! Layers, later wins: `Leptos.toml`, then `.env`, then the process
//! environment. All three use the same names (`DATABASE_URL`, ...), so a key
//! means the same thing wherever it is set. Build settings for cargo-leptos are
//! not here: they live in `Cargo.toml` under `[package.metadata.leptos]`.
use anyhow::{anyhow, bail, Context};
use leptos::config::{Env, LeptosOptions};
use std::{collections::HashMap, net::SocketAddr, path::Path, time::Duration};

/// How many failed attempts at a secret a key may have in a window before
/// the next ones answer 429 (`credentials::throttle` counts them).
#[derive(Clone, Copy, Debug)]
pub struct AttemptLimit {
    /// Failures allowed within `window`.
    pub max_failures: i64,
    pub window: Duration,
}

impl Default for AttemptLimit {
    /// The contract: more than 5 failures within 15 minutes.
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(15 * 60),
        }
    }
}

pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:3000";

/// `PUBLIC_URL` checked: an origin (scheme, host, port; no path) whose host
/// is a name, since WebAuthn takes no IP address as a relying party.
fn public_url(value: &str) -> anyhow::Result<url::Url> {
    let url = url::Url::parse(value).map_err(|e| {
        anyhow!("PUBLIC_URL must be a URL such as https://example.com, not {value:?}: {e}")
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        bail!("PUBLIC_URL must start with https:// (or http:// on this machine), not {value:?}");
    }
    if url.domain().is_none() {
        bail!(
            "PUBLIC_URL must name the host ({value:?} has none, or an IP address): passkeys \
             need a host name; on this machine use http://localhost:PORT"
        );
    }
    if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        bail!("PUBLIC_URL is an origin only, without a path: not {value:?}");
    }
    Ok(url)
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/sesame.db?mode=rwc";

/// Everything the server needs to run, typed, with the contract's defaults.
#[derive(Clone, Debug)]
pub struct Settings {
    pub leptos: LeptosOptions,
    pub database_url: String,
    /// `REDIS_URL`: sessions live in Redis when set (users stay in SQL).
    /// A secret, since the URL may carry a password.
    pub redis_url: Option<Secret>,
    /// `SECRET_KEY` as given; `None` means "generate one in development".
    pub secret_key: Option<Secret>,
    /// Lifetime of a remembered session (`SESSION_DAYS`).
    pub session_lifetime: Duration,
    /// Idle limit of a browser session (`SESSION_IDLE_MINUTES`).
    pub session_idle: Duration,
    pub cookie_secure: bool,
    /// Failed-login limit (the contract's; tests shorten the window).
    pub login_throttle: AttemptLimit,
    /// How often expired sessions are deleted from the store.
    pub session_cleanup_every: Duration,
    /// Connection and request limits (fixed; tests shorten them).
    pub limits: Limits,
    /// `TRUSTED_PROXIES`: peers whose `X-Forwarded-For` / `Forwarded` names
    /// the client. Empty: the client is the socket's peer, whatever it says.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `CLIENT_IP_HEADER`: the one header the trusted proxies write the
    /// client into; the other is ignored (a client can send either, and a
    /// proxy passes on what it does not write).
    pub client_ip_header: ClientIpHeader,
    /// What one client (one address; one /64 for IPv6) may cause.
    pub client_rates: ClientRates,
    /// Password jobs that may wait for a password thread; one more is
    /// answered 503 at once (see `credentials::password`).
    pub password_queue: usize,
    /// `METRICS_ADDR`: where `/metrics` is served; `None`: no metrics.
    pub metrics_addr: Option<SocketAddr>,
    /// `DRAIN_NOTICE_SECONDS`: after SIGTERM, how long the server goes on
    /// accepting while `/readyz` answers 503, so a balancer that polls it
    /// stops sending before the listener closes.
    pub drain_notice: Duration,
    /// `REAUTH_MINUTES`: how long a sign-in proof (a sign-in, a password
    /// typed again or a passkey used in this session) allows sensitive
    /// changes: the password, passkeys, two-factor, revoking every other
    /// session, deleting the account with a passkey.
    pub reauth: Duration,
    /// How long the second step of a two-factor sign-in may take (fixed: 5
    /// minutes; tests shorten it).
    pub second_step: Duration,
    /// `PUBLIC_URL`: the site's origin as browsers see it. Passkeys are
    /// bound to its host name (the relying party id) and their answers
    /// must come from exactly this origin.
    pub public_url: url::Url,
    /// How long a passkey ceremony (started, waiting for the browser's
    /// answer) may take (fixed: 5 minutes, what browsers are told).
    pub ceremony: Duration,
}

/// How long sessions live (`SESSION_DAYS`, `SESSION_IDLE_MINUTES`).
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    /// A "Remember me" session's lifetime, renewed on activity.
    pub lifetime: Duration,
    /// A browser session ends after this long without a request.
    pub idle: Duration,
}

impl Settings {
    /// The session cookie's name. With `Secure`, the `__Host-` prefix: the
    /// browser then accepts it only from this exact host over HTTPS, with
    /// `Path=/` and no `Domain`, so a sibling subdomain (or a network attacker
    /// over plain HTTP) cannot plant one of its own, such as a signed-in
    /// session of the attacker's account. Over plain HTTP (development) the
    /// browser would refuse a prefixed cookie, so it has none.
    pub fn session_cookie_name(&self) -> &'static str {
        if self.cookie_secure {
            "__Host-sesame_session"
        } else {
            "sesame_session"
        }
    }

    pub fn session_policy(&self) -> SessionPolicy {
        SessionPolicy {
            lifetime: self.session_lifetime,
            idle: self.session_idle,
        }
    }
}

/// Per-client rates, each "so many a minute, all of them at once if need
/// be" (a token bucket that holds a minute's worth). `None`: no limit.
#[derive(Clone, Copy, Debug)]
pub struct ClientRates {
    /// `PASSWORD_ATTEMPTS_PER_MINUTE`: logins, registrations and password
    /// changes: each costs an argon2 computation.
    pub password_attempts: Option<std::num::NonZeroU32>,
    /// `NEW_SESSIONS_PER_MINUTE`: sessions stored for a client that had none.
    pub new_sessions: Option<std::num::NonZeroU32>,
}

/// The bounds of `SESSION_DAYS` and `SESSION_IDLE_MINUTES`: ten years, and
/// a week (a longer idle limit is what "Remember me" is for).
pub const SESSION_DAYS_MAX: u64 = 3650;
pub const SESSION_IDLE_MINUTES_MAX: u64 = 10_080;

/// How long the server waits for clients and for itself.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A client must send a request's headers within this time.
    pub header_read: Duration,
    /// ... and its body within this time (408 otherwise).
    pub body_read: Duration,
    /// A request taking longer is answered 503 and dropped.
    pub request: Duration,
    /// On SIGTERM, how long requests in flight may still run.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(10),
            body_read: Duration::from_secs(10),
            request: Duration::from_secs(30),
            drain: Duration::from_secs(30),
        }
    }
}

/// A string that must never reach a log line.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Settings {
    /// Reads `Leptos.toml`, `.env` and the environment from the working directory.
    pub fn from_env() -> anyhow::Result<Self> {
        let mut vars = read_toml(Path::new("Leptos.toml"))?;
        if Path::new(".env").is_file() {
            for item in dotenvy::from_path_iter(".env").context("reading .env")? {
                let (key, value) = item.context("reading .env")?;
                vars.insert(key, value);
            }
        }
        vars.extend(std::env::vars());
        Self::from_vars(&vars)
    }

    /// Builds settings from one flat map of names to values.
    pub fn from_vars(vars: &HashMap<String, String>) -> anyhow::Result<Self> {
        let get = |key: &str| vars.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());

        let env = match get("LEPTOS_ENV").map(str::to_ascii_lowercase).as_deref() {
            None | Some("dev") | Some("development") => Env::DEV,
            Some("prod") | Some("production") => Env::PROD,
            Some(other) => bail!("LEPTOS_ENV must be DEV or PROD, not {other:?}"),
        };
        let production = env == Env::PROD;

        let site_addr: SocketAddr = parse(
            get("LEPTOS_SITE_ADDR"),
            "127.0.0.1:3000",
            "LEPTOS_SITE_ADDR",
        )?;
        let reload_port: u32 = parse(get("LEPTOS_RELOAD_PORT"), "3001", "LEPTOS_RELOAD_PORT")?;
        // cargo-leptos exports where it put the site; these defaults are its own,
        // so the release binary also runs on its own from the project root.
        let site_root = get("LEPTOS_SITE_ROOT").unwrap_or("target/site");
        let (hash_files, hash_file) = hashed_names(
            get("LEPTOS_HASH_FILES"),
            get("LEPTOS_HASH_FILE_NAME"),
            site_root,
        )?;
        let leptos = LeptosOptions::builder()
            .output_name(get("LEPTOS_OUTPUT_NAME").unwrap_or(env!("CARGO_PKG_NAME")))
            .site_root(site_root)
            .site_pkg_dir(get("LEPTOS_SITE_PKG_DIR").unwrap_or("pkg"))
            .env(env)
            .site_addr(site_addr)
            .reload_port(reload_port)
            .hash_files(hash_files)
            .hash_file(hash_file.into())
            .build();

        let days: u64 = parse(get("SESSION_DAYS"), "7", "SESSION_DAYS")?;
        if !(1..=SESSION_DAYS_MAX).contains(&days) {
            bail!("SESSION_DAYS must be between 1 and {SESSION_DAYS_MAX}, not {days}");
        }
        let idle_minutes: u64 = parse(get("SESSION_IDLE_MINUTES"), "60", "SESSION_IDLE_MINUTES")?;
        if !(1..=SESSION_IDLE_MINUTES_MAX).contains(&idle_minutes) {
            bail!(
                "SESSION_IDLE_MINUTES must be between 1 and {SESSION_IDLE_MINUTES_MAX}, \
                 not {idle_minutes}"
            );
        }
        let cookie_secure: bool = parse(
            get("COOKIE_SECURE"),
            if production { "true" } else { "false" },
            "COOKIE_SECURE",
        )?;

        Ok(Self {
            leptos,
            database_url: get("DATABASE_URL")
                .unwrap_or(DEFAULT_DATABASE_URL)
                .to_owned(),
            redis_url: get("REDIS_URL").map(Secret::new),
            secret_key: get("SECRET_KEY").map(Secret::new),
            session_lifetime: Duration::from_secs(days * 24 * 60 * 60),
            session_idle: Duration::from_secs(idle_minutes * 60),
            cookie_secure,
            login_throttle: Default::default(),
            session_cleanup_every: Duration::from_secs(60),
            limits: Limits::default(),
            trusted_proxies: parse_proxies(get("TRUSTED_PROXIES").unwrap_or(""))?,
            client_ip_header: match get("CLIENT_IP_HEADER")
                .map(|v| v.trim().to_ascii_lowercase())
                .as_deref()
            {
                None | Some("") | Some("x-forwarded-for") => ClientIpHeader::XForwardedFor,
                Some("forwarded") => ClientIpHeader::Forwarded,
                Some(other) => bail!(
                    "CLIENT_IP_HEADER must be x-forwarded-for or forwarded, not {other:?}"
                ),
            },
            client_rates: ClientRates {
                password_attempts: parse_rate(
                    get("PASSWORD_ATTEMPTS_PER_MINUTE"),
                    DEFAULT_PASSWORD_ATTEMPTS_PER_MINUTE,
                    "PASSWORD_ATTEMPTS_PER_MINUTE",
                )?,
                new_sessions: parse_rate(
                    get("NEW_SESSIONS_PER_MINUTE"),
                    DEFAULT_NEW_SESSIONS_PER_MINUTE,
                    "NEW_SESSIONS_PER_MINUTE",
                )?,
            },
            password_queue: DEFAULT_PASSWORD_QUEUE,
            metrics_addr: get("METRICS_ADDR")
                .map(|v| {
                    v.parse::<SocketAddr>().map_err(|_| {
                        anyhow!("METRICS_ADDR must be an address and port such as 127.0.0.1:9100, not {v:?}")
                    })
                })
                .transpose()?,
            drain_notice: {
                let seconds: u64 = parse(get("DRAIN_NOTICE_SECONDS"), "0", "DRAIN_NOTICE_SECONDS")?;
                if seconds > 300 {
                    bail!("DRAIN_NOTICE_SECONDS must be at most 300, not {seconds}");
                }
                Duration::from_secs(seconds)
            },
            reauth: {
                let minutes: u64 = parse(get("REAUTH_MINUTES"), "5", "REAUTH_MINUTES")?;
                if !(1..=1440).contains(&minutes) {
                    bail!("REAUTH_MINUTES must be between 1 and 1440, not {minutes}");
                }
                Duration::from_secs(minutes * 60)
            },
            second_step: Duration::from_secs(5 * 60),
            public_url: public_url(get("PUBLIC_URL").unwrap_or(DEFAULT_PUBLIC_URL))?,
            ceremony: Duration::from_secs(5 * 60),
        })
    }

    /// The key that signs session cookies.
    ///
    /// `SECRET_KEY` if set. Otherwise, in development only, one generated
    /// once into `data/secret.key` (readable by its owner alone) and reused,
    /// so sessions survive restarts; in production its absence is an error.
    pub fn signing_secret(&self) -> anyhow::Result<Secret> {
        let secret = match &self.secret_key {
            Some(secret) => secret.clone(),
            None if self.is_production() => bail!(
                "SECRET_KEY is not set. It is required when LEPTOS_ENV=PROD: \
                 set it to a random string of at least 32 bytes \
                 (for example: openssl rand -hex 32)"
            ),
            None => dev_secret(Path::new(DEV_SECRET_FILE))?,
        };
        if secret.expose().len() < 32 {
            bail!("SECRET_KEY must be at least 32 bytes long");
        }
        Ok(secret)
    }

    pub fn is_production(&self) -> bool {
        self.leptos.env == Env::PROD
    }
}

/// A person types a password a few times a minute at most; 30 leaves room
/// for a family or a small office behind one address.
pub const DEFAULT_PASSWORD_ATTEMPTS_PER_MINUTE: u32 = 30;
/// A person's browser makes one session a visit.
pub const DEFAULT_NEW_SESSIONS_PER_MINUTE: u32 = 60;
/// About a second of argon2 work on two cores.
pub const DEFAULT_PASSWORD_QUEUE: usize = 32;

/// `N` (a minute's worth, all at once if need be), or `0` for no limit.
fn parse_rate(
    value: Option<&str>,
    default: u32,
    key: &str,
) -> anyhow::Result<Option<std::num::NonZeroU32>> {
    let n: u32 = match value {
        None => default,
        Some(v) => v
            .parse()
            .map_err(|_| anyhow!("{key} must be a whole number (0 for no limit), not {v:?}"))?,
    };
    // The buckets count in milliseconds: one request a millisecond at most.
    if n > MAX_RATE_PER_MINUTE {
        bail!("{key} must be at most {MAX_RATE_PER_MINUTE} (0 for no limit), not {n}");
    }
    Ok(std::num::NonZeroU32::new(n))
}

/// The highest per-client rate a minute that can be set.
pub const MAX_RATE_PER_MINUTE: u32 = 60_000;

/// `CLIENT_IP_HEADER`: where a trusted proxy names the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ClientIpHeader {
    /// `X-Forwarded-For` (nginx's `$proxy_add_x_forwarded_for`, most
    /// balancers).
    #[default]
    XForwardedFor,
    /// `Forwarded` (RFC 7239).
    Forwarded,
}

/// `TRUSTED_PROXIES`: addresses or CIDRs, separated by commas or spaces.
fn parse_proxies(value: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse::<ipnet::IpNet>()
                .or_else(|_| item.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    anyhow!("TRUSTED_PROXIES: {item:?} is not an IP address or a CIDR block")
                })
        })
        .collect()
}

pub const DEV_SECRET_FILE: &str = "data/secret.key";

fn dev_secret(path: &Path) -> anyhow::Result<Secret> {
    use std::io::Write;
    if path.exists() {
        crate::files::check_private(path)?;
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(Secret::new(text.trim()));
    }
    if let Some(dir) = path.parent() {
        crate::files::private_dir(dir)?;
    }
    let mut bytes = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    let secret = hex::encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(secret.as_bytes())?;
    tracing::warn!(
        "SECRET_KEY is not set: generated one into {} (development only)",
        path.display()
    );
    Ok(Secret::new(secret))
}

fn parse<T: std::str::FromStr>(value: Option<&str>, default: &str, key: &str) -> anyhow::Result<T> {
    let value = value.unwrap_or(default);
    value
        .parse()
        .map_err(|_| anyhow!("{key} has an invalid value {value:?}"))
}

/// `Leptos.toml` is a flat table of the same names the environment uses.
fn read_toml(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let mut vars = HashMap::new();
    if !path.is_file() {
        return Ok(vars);
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("parsing {}", path.display()))?;
    for (key, value) in table {
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => bail!(
                "{}: {key} must be a string, number or boolean, not {other}",
                path.display()
            ),
        };
        vars.insert(key, value);
    }
    Ok(vars)
}

/// Whether the site's files have content hashes in their names, and the
/// file that lists them (`LEPTOS_HASH_FILES`, `LEPTOS_HASH_FILE_NAME`).
///
/// cargo-leptos writes the list into the site itself (`hash-file-name` in
/// Cargo.toml), so a site and its list are built and deleted together and
/// any server binary (debug or release) serves any site build. Leptos reads
/// the list relative to the running binary's directory, as cargo-leptos
/// exports it; without that variable it is the site's `hash.txt`, by an
/// absolute path. Unset, `LEPTOS_HASH_FILES` is whether that file exists.
fn hashed_names(
    enabled: Option<&str>,
    name: Option<&str>,
    site_root: &str,
) -> anyhow::Result<(bool, String)> {
    let file = match name {
        Some(name) => {
            let exe_dir = std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(Path::to_path_buf))
                .unwrap_or_default();
            exe_dir.join(name)
        }
        None => std::path::absolute(Path::new(site_root).join("hash.txt"))
            .context("resolving LEPTOS_SITE_ROOT")?,
    };
    let enabled = match enabled {
        Some(value) => parse(Some(value), "false", "LEPTOS_HASH_FILES")?,
        None => file.is_file(),
    };
    if enabled && !file.is_file() {
        bail!(
            "LEPTOS_HASH_FILES is true but {} does not exist: build the site with \
             `cargo leptos build` (it writes the file), or set LEPTOS_HASH_FILES=false",
            file.display()
        );
    }
    let file = file
        .to_str()
        .context("the hash file's path is not UTF-8")?
        .to_owned();
    Ok((enabled, file))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_the_contracts() {
        let s = Settings::from_vars(&vars(&[])).unwrap();
        assert_eq!(s.database_url, "sqlite://data/sesame.db?mode=rwc");
        assert_eq!(s.leptos.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(s.session_lifetime, Duration::from_secs(7 * 86_400));
        assert_eq!(s.session_idle, Duration::from_secs(3_600));
        assert!(!s.cookie_secure);
        assert!(s.secret_key.is_none());
    }

    #[test]
    fn production_defaults_to_secure_cookies() {
        let s = Settings::from_vars(&vars(&[("LEPTOS_ENV", "PROD")])).unwrap();
        assert!(s.cookie_secure);
        let s = Settings::from_vars(&vars(&[("LEPTOS_ENV", "PROD"), ("COOKIE_SECURE", "false")]))
            .unwrap();
        assert!(!s.cookie_secure);
    }

    #[test]
    fn a_bad_number_is_a_clear_error() {
        let err = Settings::from_vars(&vars(&[("SESSION_DAYS", "seven")])).unwrap_err();
        assert!(err.to_string().contains("SESSION_DAYS"), "{err}");
    }

    #[test]
    fn session_lifetimes_are_bounded() {
        for (key, value) in [
            ("SESSION_DAYS", "0"),
            ("SESSION_DAYS", "3651"),
            ("SESSION_DAYS", "18446744073709551615"),
            ("SESSION_DAYS", "99999999999999999999999"),
            ("SESSION_IDLE_MINUTES", "0"),
            ("SESSION_IDLE_MINUTES", "10081"),
            ("SESSION_IDLE_MINUTES", "-1"),
        ] {
            let err = Settings::from_vars(&vars(&[(key, value)])).unwrap_err();
            assert!(err.to_string().contains(key), "{key}={value}: {err}");
        }
        let s = Settings::from_vars(&vars(&[
            ("SESSION_DAYS", "3650"),
            ("SESSION_IDLE_MINUTES", "10080"),
        ]))
        .unwrap();
        assert_eq!(s.session_lifetime, Duration::from_secs(3650 * 86_400));
        assert_eq!(s.session_idle, Duration::from_secs(10_080 * 60));
        let s = Settings::from_vars(&vars(&[("SESSION_IDLE_MINUTES", "1")])).unwrap();
        assert_eq!(s.session_idle, Duration::from_secs(60));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_cidrs() {
        let s = Settings::from_vars(&vars(&[(
            "TRUSTED_PROXIES",
            "10.0.0.0/8, 127.0.0.1 ::1,fd00::/8",
        )]))
        .unwrap();
        let shown: Vec<String> = s.trusted_proxies.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["10.0.0.0/8", "127.0.0.1/32", "::1/128", "fd00::/8"]);
        assert!(Settings::from_vars(&vars(&[]))
            .unwrap()
            .trusted_proxies
            .is_empty());
        let err = Settings::from_vars(&vars(&[("TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")]))
            .unwrap_err();
        assert!(err.to_string().contains("proxy.local"), "{err}");
    }

    #[test]
    fn client_rates_default_and_can_be_turned_off() {
        let s = Settings::from_vars(&vars(&[])).unwrap();
        assert_eq!(s.client_rates.password_attempts.map(|n| n.get()), Some(30));
        assert_eq!(s.client_rates.new_sessions.map(|n| n.get()), Some(60));
        let s = Settings::from_vars(&vars(&[
            ("PASSWORD_ATTEMPTS_PER_MINUTE", "0"),
            ("NEW_SESSIONS_PER_MINUTE", "5"),
        ]))
        .unwrap();
        assert!(s.client_rates.password_attempts.is_none());
        assert_eq!(s.client_rates.new_sessions.map(|n| n.get()), Some(5));
        let err = Settings::from_vars(&vars(&[("NEW_SESSIONS_PER_MINUTE", "lots")])).unwrap_err();
        assert!(err.to_string().contains("NEW_SESSIONS_PER_MINUTE"), "{err}");
    }

    #[test]
    fn metrics_are_off_unless_an_address_is_given() {
        assert!(Settings::from_vars(&vars(&[]))
            .unwrap()
            .metrics_addr
            .is_none());
        let s = Settings::from_vars(&vars(&[("METRICS_ADDR", "127.0.0.1:9100")])).unwrap();
        assert_eq!(s.metrics_addr.map(|a| a.port()), Some(9100));
        let err = Settings::from_vars(&vars(&[("METRICS_ADDR", "9100")])).unwrap_err();
        assert!(err.to_string().contains("METRICS_ADDR"), "{err}");
        let err = Settings::from_vars(&vars(&[("DRAIN_NOTICE_SECONDS", "301")])).unwrap_err();
        assert!(err.to_string().contains("DRAIN_NOTICE_SECONDS"), "{err}");
    }

    #[test]
    fn the_secret_key_is_never_printed() {
        let s = Settings::from_vars(&vars(&[("SECRET_KEY", "hunter2-hunter2")])).unwrap();
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn production_without_a_secret_key_is_a_clear_start_up_error() {
        let s = Settings::from_vars(&vars(&[("LEPTOS_ENV", "PROD")])).unwrap();
        let err = s.signing_secret().unwrap_err().to_string();
        assert!(err.contains("SECRET_KEY is not set"), "{err}");
    }

    #[test]
    fn a_short_secret_key_is_refused() {
        let s = Settings::from_vars(&vars(&[("SECRET_KEY", "short")])).unwrap();
        assert!(s.signing_secret().is_err());
    }

    #[test]
    fn a_development_secret_is_generated_once_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/secret.key");
        let first = dev_secret(&path).unwrap();
        let second = dev_secret(&path).unwrap();
        assert_eq!(first.expose(), second.expose());
        assert_eq!(first.expose().len(), 64);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
            let dir_mode = std::fs::metadata(path.parent().unwrap())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(dir_mode & 0o777, 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_secret_key_file_others_can_read_is_refused_by_name() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        dev_secret(&path).unwrap();
        for mode in [0o640, 0o604, 0o644] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = format!("{:#}", dev_secret(&path).unwrap_err());
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(err.contains("chmod 600"), "{err}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert!(dev_secret(&path).is_ok());
    }

    #[test]
    fn the_shipped_leptos_toml_parses_to_the_defaults() {
        let file = read_toml(Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/Leptos.toml"
        )))
        .unwrap();
        let from_file = Settings::from_vars(&file).unwrap();
        let defaults = Settings::from_vars(&vars(&[])).unwrap();
        assert_eq!(from_file.database_url, defaults.database_url);
        assert_eq!(from_file.leptos.site_addr, defaults.leptos.site_addr);
        assert_eq!(from_file.session_lifetime, defaults.session_lifetime);
        assert_eq!(from_file.session_idle, defaults.session_idle);
    }

    #[test]
    fn public_url_is_an_origin_with_a_host_name() {
        let ok = super::public_url(super::DEFAULT_PUBLIC_URL).unwrap();
        assert_eq!(ok.domain(), Some("localhost"));
        assert!(super::public_url("https://sesame.example.com").is_ok());
        for bad in [
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
            "localhost:3000",
            "ftp://localhost",
            "https://example.com/app",
            "",
        ] {
            assert!(super::public_url(bad).is_err(), "{bad}");
        }
    }
}
