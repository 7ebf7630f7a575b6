//! What a browser downloads: /pkg files precompressed and cached for a year
//! under hashed names; pages and server functions never cached.
use crate::helpers::*;
use std::path::Path;

const JS: &str = "sesame.AAAAAAAAAAAAAAAAAAAAAA.js";
const WASM: &str = "sesame.BBBBBBBBBBBBBBBBBBBBBB.wasm";
const CSS: &str = "sesame.CCCCCCCCCCCCCCCCCCCCCC.css";

/// A site as `cargo leptos build --release --precompress` leaves it: hashed
/// names, their list, and a `.br` and `.gz` beside each file (their
/// contents tell the variants apart; the server does not decompress).
fn hashed_site(root: &Path) {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for name in [JS, WASM, CSS, "unhashed.js"] {
        std::fs::write(pkg.join(name), format!("raw {name}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.br")), format!("br {name}")).unwrap();
        std::fs::write(pkg.join(format!("{name}.gz")), format!("gz {name}")).unwrap();
    }
    std::fs::write(
        root.join("hash.txt"),
        "js: AAAAAAAAAAAAAAAAAAAAAA\nwasm: BBBBBBBBBBBBBBBBBBBBBB\ncss: CCCCCCCCCCCCCCCCCCCCCC\n",
    )
    .unwrap();
}

/// The app serving a [`hashed_site`] (deleted when the guard is dropped).
async fn spawn_on_hashed_site() -> (TestApp, tempfile::TempDir) {
    let site = tempfile::tempdir().unwrap();
    hashed_site(site.path());
    let root = site.path().to_str().unwrap().to_owned();
    let app = spawn_app_with(|s| {
        s.leptos.site_root = root.clone().into();
        s.leptos.hash_files = true;
        s.leptos.hash_file = format!("{root}/hash.txt").into();
    })
    .await;
    (app, site)
}

async fn fetch(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> reqwest::Response {
    let client = reqwest::Client::new();
    let mut req = client.get(format!("{}{path}", app.address));
    if let Some(encodings) = accept_encoding {
        req = req.header("accept-encoding", encodings);
    }
    req.send().await.expect("GET")
}

fn header(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn pkg_files_are_precompressed_and_immutable_pages_are_not_cached() {
    let (app, _site) = spawn_on_hashed_site().await;

    // The page names the hashed files, and is asked for again every time.
    let page = fetch(&app, "/", None).await;
    assert_eq!(page.status(), 200);
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let html = page.text().await.unwrap();
    for name in [JS, WASM, CSS] {
        assert!(
            html.contains(&format!("/pkg/{name}")),
            "{name} not in {html}"
        );
    }

    for name in [JS, WASM, CSS] {
        let path = format!("/pkg/{name}");
        for (accepts, encoding, body) in [
            (Some("gzip, deflate, br"), "br", format!("br {name}")),
            (Some("gzip"), "gz", format!("gz {name}")),
            (None, "", format!("raw {name}")),
        ] {
            let res = fetch(&app, &path, accepts).await;
            assert_eq!(res.status(), 200, "{path} {accepts:?}");
            let expected_encoding = match encoding {
                "gz" => "gzip",
                other => other,
            };
            assert_eq!(
                header(&res, "content-encoding"),
                expected_encoding,
                "{path}"
            );
            assert_eq!(
                header(&res, "cache-control"),
                "public, max-age=31536000, immutable",
                "{path}"
            );
            assert_eq!(header(&res, "vary"), "accept-encoding", "{path}");
            assert_eq!(res.text().await.unwrap(), body, "{path} {accepts:?}");
        }
    }

    // Pages are compressed as they stream out, but for /how-it-works, which
    // shows part of the session id (BREACH).
    let page = fetch(&app, "/cookies", Some("gzip, deflate, br")).await;
    assert_eq!(header(&page, "content-encoding"), "br");
    assert_eq!(header(&page, "cache-control"), "no-cache");
    let picture = fetch(&app, "/how-it-works", Some("gzip, deflate, br")).await;
    assert_eq!(picture.status(), 200);
    assert_eq!(header(&picture, "content-encoding"), "identity");
    assert!(picture.text().await.unwrap().contains("How it works"));

    // The islands router's and the passkey buttons' scripts, built into
    // the server: a hashed name, compressed on the fly, cached a year.
    for (name, says) in [
        ("/pkg/islands-router.", "islands router"),
        ("/pkg/passkeys.", "the browser's half of passkeys"),
    ] {
        let path = html
            .split("src=\"")
            .filter_map(|rest| rest.split('"').next())
            .find(|src| src.starts_with(name))
            .expect("the script in the page")
            .to_owned();
        let script = fetch(&app, &path, Some("gzip, deflate, br")).await;
        assert_eq!(script.status(), 200);
        assert_eq!(header(&script, "content-encoding"), "br");
        assert!(header(&script, "content-type").starts_with("text/javascript"));
        assert_eq!(
            header(&script, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        let plain = fetch(&app, &path, None).await;
        assert!(plain.text().await.unwrap().contains(says), "{path}");
    }

    // A name without a hash may change under the same URL: revalidated.
    let unhashed = fetch(&app, "/pkg/unhashed.js", Some("br")).await;
    assert_eq!(header(&unhashed, "content-encoding"), "br");
    assert_eq!(header(&unhashed, "cache-control"), "no-cache");
    // A server function's answer is one user's data: never stored.
    let api = app.post_form("/api/current_user", &[]).await;
    assert_eq!(header(&api, "cache-control"), "no-store");
    // A missing file is not cached for a year either.
    let missing = fetch(&app, "/pkg/sesame.DDDDDDDDDDDDDDDDDDDDDD.js", Some("br")).await;
    assert_eq!(missing.status(), 404);
    assert_ne!(
        header(&missing, "cache-control"),
        "public, max-age=31536000, immutable"
    );
}

/// A file requested while pages redirect on the same server keeps its own
/// answer: leptos_axum's file handler once picked up a concurrent page's
/// `302` and `Location` (see `startup::files_and_errors`).
#[tokio::test]
async fn a_file_sent_beside_redirecting_pages_is_the_file() {
    let (app, _site) = spawn_on_hashed_site().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..5 {
        let requests: Vec<_> = (0..200)
            .map(|i| {
                let client = client.clone();
                let path = if i % 2 == 0 {
                    "/users"
                } else {
                    "/pkg/sesame.BBBBBBBBBBBBBBBBBBBBBB.wasm"
                };
                let url = format!("{}{path}", app.address);
                tokio::spawn(async move {
                    let res = client.get(&url).send().await.expect("GET");
                    (
                        path,
                        res.status().as_u16(),
                        res.headers().get("location").cloned(),
                    )
                })
            })
            .collect();
        for request in requests {
            let (path, status, location) = request.await.unwrap();
            if path == "/users" {
                assert_eq!(status, 302);
            } else {
                assert_eq!((status, location), (200, None), "{path}");
            }
        }
    }
}
