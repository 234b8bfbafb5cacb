//! Configuration is checked once, at start: a bad value is exit status 2 naming the variable,
//! flag or file line, and no request is sent.

use super::support::{bare, mock, ndjson, output, stories, tempdir, text};

#[tokio::test]
async fn bad_settings_exit_2_naming_where_they_were_given() {
    let server = mock().await;
    let cases: [(&str, &str, &str); 6] = [
        (
            "STORIES_TIMEOUT_SECS",
            "abc",
            "STORIES_TIMEOUT_SECS: `abc` is not a whole number",
        ),
        (
            "STORIES_VENDORS",
            "keyapi,nosuch",
            "STORIES_VENDORS: unknown vendor `nosuch`",
        ),
        (
            "STORIES_KEYAPI_URL",
            "not-a-url",
            "STORIES_KEYAPI_URL: `not-a-url` is not a URL",
        ),
        (
            "STORIES_KEYAPI_KEY",
            "sk_live_secret\nsecond",
            "STORIES_KEYAPI_KEY: the key contains a line break",
        ),
        (
            "STORIES_CA_CERT",
            "/nonexistent/ca.pem",
            "STORIES_CA_CERT: cannot use /nonexistent/ca.pem",
        ),
        (
            "STORIES_CONFIG",
            "/nonexistent/stories.toml",
            "/nonexistent/stories.toml: cannot read the config file",
        ),
    ];
    for (name, value, says) in cases {
        let mut cmd = stories(&server);
        cmd.env(name, value).args(["user-stories", "natgeo"]);
        let out = output(cmd).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(!stderr.contains("sk_live_secret"), "{stderr}");
    }
    for args in [
        &["--timeout-secs", "0", "user-stories", "natgeo"][..],
        &["user-stories", "natgeo", "--vendor", "nosuch"],
        &["user-stories", "natgeo", "--concurrency", "0"],
        &[
            "user-stories",
            "natgeo",
            "--download",
            "d",
            "--filename",
            "{owner}.{ext}",
        ],
        &["mock", "--fault", "nosuch=500"],
        &["mock", "--fault", "keyapi=nosuch"],
        &["mock", "--fault", "keyapi"],
    ] {
        let out = output({
            let mut c = stories(&server);
            c.args(args);
            c
        })
        .await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains("error"), "{args:?}");
    }
    assert_eq!(
        ["hikerapi", "keyapi", "konbiniapi", "sociavault"].map(|v| server.hits(v)),
        [0; 4],
        "a bad setting must stop the run before any request"
    );
}

/// Runs `cmd` with `args`, its config folder at `home`.
async fn with_config(
    mut cmd: std::process::Command,
    home: &std::path::Path,
    args: &[&str],
) -> std::process::Output {
    cmd.env("XDG_CONFIG_HOME", home).args(args);
    output(cmd).await
}

#[tokio::test]
async fn the_config_file_gives_keys_and_settings_and_flags_win() {
    let server = mock().await;
    let home = tempdir();
    let dir = home.path().join("stories");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("config.toml");
    let write = |text: String| std::fs::write(&file, text).unwrap_or_else(|e| panic!("{e}"));
    write(format!(
        "# found in the platform's config folder\ntimeout_secs = 5\n\n[vendor.keyapi]\nkey = \"{}\"\nurl = \"{}\"\n",
        stories::mock::MOCK_KEY,
        server.base_url("keyapi")
    ));
    let out = with_config(
        bare(),
        home.path(),
        &["user-stories", "natgeo", "--format", "ndjson"],
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(ndjson(&out)[0]["report"]["attempts"][0]["vendor"], "keyapi");

    // A bad value names the file and line; a flag wins over it.
    write("timeout_secs = 5\n[vendor.keyapi]\nkey = \"k\"\nurl = \"ftp://nope\"\n".into());
    let out = with_config(bare(), home.path(), &["user-stories", "natgeo"]).await;
    assert_eq!(out.status.code(), Some(2));
    let expected = format!("{}:4: vendor.keyapi.url", file.display());
    assert!(
        text(&out.stderr).contains(&expected),
        "{}",
        text(&out.stderr)
    );

    write("timeout_secs = \"soon\"\n".into());
    let out = with_config(stories(&server), home.path(), &["user-stories", "natgeo"]).await;
    assert!(
        text(&out.stderr).contains(":1: timeout_secs: `soon`"),
        "{}",
        text(&out.stderr)
    );
    assert!(
        with_config(
            stories(&server),
            home.path(),
            &["--timeout-secs", "9", "user-stories", "natgeo"]
        )
        .await
        .status
        .success()
    );

    // A file others can read gets a warning: it may hold keys.
    write("timeout_secs = 5\n".into());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644))
            .unwrap_or_else(|e| panic!("{e}"));
        let out = with_config(stories(&server), home.path(), &["user-stories", "natgeo"]).await;
        assert!(
            text(&out.stderr).contains("chmod 600"),
            "{}",
            text(&out.stderr)
        );
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
            .unwrap_or_else(|e| panic!("{e}"));
        let out = with_config(stories(&server), home.path(), &["user-stories", "natgeo"]).await;
        assert!(
            !text(&out.stderr).contains("chmod"),
            "{}",
            text(&out.stderr)
        );
    }

    write("timeout_secs = 5\ntimeuot = 3\n".into());
    let out = with_config(stories(&server), home.path(), &["user-stories", "natgeo"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("config.toml:2: unknown field `timeuot`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn help_lists_vendors_and_environment_variables() {
    let out = bare()
        .arg("--help")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let help = text(&out.stdout);
    for v in stories::VENDORS {
        assert!(help.contains(v.name()), "{help}");
        assert!(help.contains(&v.key_variable()), "{help}");
        assert!(help.contains(&v.url_variable()), "{help}");
    }
    for var in [
        "STORIES_VENDORS",
        "STORIES_TIMEOUT_SECS",
        "STORIES_CA_CERT",
        "STORIES_CONFIG",
        "NO_COLOR",
    ] {
        assert!(help.contains(var), "{var}: {help}");
    }
    assert!(help.contains("config.toml"), "{help}");
}

#[test]
fn completions_cover_every_subcommand_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = bare()
            .args(["completions", shell])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(out.status.success(), "{shell}");
        let script = text(&out.stdout);
        for sub in ["user-stories", "highlights", "normalize", "mock"] {
            assert!(script.contains(sub), "{shell} lacks {sub}");
        }
    }
}

#[test]
fn misspelt_variables_are_warned_about() {
    let out = bare()
        .env("STORIES_KEYAPI_KYE", "x")
        .args(["user-stories", "natgeo"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text(&out.stderr).contains("STORIES_KEYAPI_KYE is set but"),
        "{}",
        text(&out.stderr)
    );
}
