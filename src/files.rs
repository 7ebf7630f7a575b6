//! [ssr] Files only the server's own user may read: `data/`, the SQLite
//! database and its journals, `data/secret.key`.
//!
//! Whoever reads the database can read every account's email and hash, and
//! whoever reads the key can sign a cookie for any session id; other local
//! users get neither, whatever the umask.
use anyhow::{bail, Context};
use std::path::Path;

/// Creates `dir` and its missing parents as `0700`. A directory that exists
/// is left as it is: it may be the operator's (`/var/lib/…`, a home).
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))
}

/// An error naming `path` when users other than its owner may read or
/// write it; the operator decides what to do about a leaked key.
pub fn check_private(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "{path} can be read or written by other users (mode {mode:03o}); \
                 anyone who read it can forge sessions. Replace it, or if it never \
                 left this machine's owner: chmod 600 {path}",
                path = path.display(),
                mode = mode & 0o777,
            );
        }
    }
    Ok(())
}

/// Makes `path` readable by its owner only: created empty as `0600` when
/// missing, tightened when it is not. SQLite gives its `-wal` and `-shm`
/// files the database file's mode, so this is done before SQLite opens it;
/// journals left by an older version are tightened too.
pub fn private_file(path: &Path) -> anyhow::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(_) => return Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(err) => return Err(err).with_context(|| format!("creating {}", path.display())),
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut paths = vec![path.to_owned()];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            paths.push(name.into());
        }
        for path in paths.iter().filter(|p| p.exists()) {
            let mode = std::fs::metadata(path)?.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(
                    "{} was readable by other users (mode {:03o}); now 600",
                    path.display(),
                    mode & 0o777
                );
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("chmod 600 {}", path.display()))?;
            }
        }
    }
    Ok(())
}
