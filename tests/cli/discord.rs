use crate::util::Dossier;

#[test]
fn serve_without_a_token_names_env_example() {
    let d = Dossier::new();
    let r = d
        .command()
        .env_remove("DISCORD_TOKEN")
        .arg("serve")
        .output()
        .unwrap();
    let r: crate::util::Run = r.into();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("DISCORD_TOKEN is not set"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(".env.example"), "{}", r.stderr);
}

#[test]
fn a_bad_guild_id_is_explained() {
    // `register` reads the same setting as `serve`.
    for command in ["serve", "register"] {
        let d = Dossier::new();
        let r: crate::util::Run = d
            .command()
            .env("DISCORD_TOKEN", "x")
            .env("DISCORD_GUILD_ID", "my-server")
            .arg(command)
            .output()
            .unwrap()
            .into();
        assert_eq!(r.code, 1, "{command}");
        assert!(
            r.stderr.contains("DISCORD_GUILD_ID must be a Discord id"),
            "{command}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
}

/// `serve` with `args` and the environment `env` exits 1 saying `expected`.
fn serve_refuses(args: &[&str], env: &[(&str, &str)], expected: &str) {
    let d = Dossier::new();
    let mut command = d.command();
    command
        .env_remove("DISCORD_PUBLIC_KEY")
        .arg("serve")
        .args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let r: crate::util::Run = command.output().unwrap().into();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(expected), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn serve_explains_each_mistake_in_its_settings() {
    let key = "5866666666666666666666666666666666666666666666666666666666666666";
    serve_refuses(
        &["--http", "localhost"],
        &[("DISCORD_PUBLIC_KEY", key)],
        "--http takes an address and port such as 0.0.0.0:8080, not `localhost`",
    );
    serve_refuses(
        &["--http", "127.0.0.1:0"],
        &[],
        "--http needs DISCORD_PUBLIC_KEY",
    );
    serve_refuses(
        &["--shard-range", "1..3", "--total-shards", "2"],
        &[("DISCORD_TOKEN", "x")],
        "--shard-range 1..3 goes past --total-shards 2",
    );
    serve_refuses(
        &["--http", "127.0.0.1:0", "--shards", "2"],
        &[("DISCORD_PUBLIC_KEY", key)],
        "--shards and --shard-range split the gateway",
    );
    // An empty address, as .env.example leaves it, means the gateway: the
    // sharding flags are checked, not refused for it.
    serve_refuses(
        &["--shard-range", "1..3", "--total-shards", "2"],
        &[("DISCORD_TOKEN", "x"), ("DOSSIER_HTTP_ADDR", "")],
        "--shard-range 1..3 goes past --total-shards 2",
    );
}

#[test]
fn serve_refuses_numbers_past_their_range() {
    for (flag, value) in [
        ("--shutdown-grace", "18446744073709551615"),
        ("--max-in-flight", "18446744073709551615"),
        ("--max-connections", "0"),
        ("--keep-days", "4294967295"),
    ] {
        let d = Dossier::new();
        let r: crate::util::Run = d
            .command()
            .args(["serve", flag, value])
            .env("DISCORD_TOKEN", "x")
            .output()
            .unwrap()
            .into();
        // clap's usage error, before anything starts.
        assert_eq!(r.code, 2, "{flag} {value}: {}", r.stderr);
        assert!(r.stderr.contains(flag), "{}", r.stderr);
        assert!(r.stderr.contains("not in"), "{}", r.stderr);
    }
}

/// No shard would connect and `serve` would wait forever: zero is refused
/// as the other counts' zeros are.
#[test]
fn serve_refuses_zero_shards() {
    for args in [
        &["--shards", "0"][..],
        &["--total-shards", "0", "--shard-range", "0..1"],
    ] {
        let d = Dossier::new();
        let mut serve = d.command();
        serve.args(["serve", "--token", "x"]).args(args);
        // Bounded: a `serve` let through with no shard to run may never return.
        let r = crate::util::bounded(&serve, 8 * 1024 * 1024);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(args[0]), "{}", r.stderr);
        assert!(r.stderr.contains("not in"), "{}", r.stderr);
    }
}

#[test]
fn invite_prints_the_oauth2_url() {
    let d = Dossier::new();
    let r = d.ok(&["invite", "--client-id", "123456789012345678"]);
    assert_eq!(
        r.stdout.trim(),
        "https://discord.com/oauth2/authorize?client_id=123456789012345678&scope=bot%20applications.commands&permissions=0"
    );
}

#[test]
fn respond_rejects_what_is_not_an_interaction() {
    let d = Dossier::new();
    let file = d.dir.path().join("bad.json");
    for body in ["{", "{\"type\": 2}", "[]", "null"] {
        std::fs::write(&file, body).unwrap();
        let r = d.run(&["discord", "respond", file.to_str().unwrap()]);
        assert_eq!(r.code, 1, "{body}");
        assert!(r.stderr.contains("not an interaction"), "{}", r.stderr);
    }
}

#[test]
fn commands_print_the_registration_array() {
    let d = Dossier::new();
    let v: serde_json::Value =
        serde_json::from_str(&d.ok(&["discord", "commands"]).stdout).unwrap();
    let names: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "ask", "search", "stories", "brief", "parties", "corridor", "terms", "quote", "card",
            "source", "help"
        ]
    );
}
