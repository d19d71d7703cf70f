//! Roles and scopes: the attribute, the extractor (`Authorize<A>`) and the
//! router-wide layer require the same things and answer the same way; the
//! claims come from the configured paths; a wrong shape is refused.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod support;

use axum::http::header;
use axum::routing::get;
use axum::Router;
use axum_jwt_extended::{
    jwt_required, req, Authorization, Authorize, JwtConfig, JwtManager, Need, TokenOptions,
    VerifyJwt,
};
use serde_json::{json, Value};
use support::http::{bearer_request, msg, send};

const SECRET: &str = "authorization-test-secret-32-bytes!";

#[jwt_required(
    roles(any("editor", "admin")),
    scopes(all("notes:read", "notes:write"))
)]
async fn by_attribute() -> &'static str {
    "ok"
}

struct Writers;
impl Authorization for Writers {
    const ROLES: Option<Need> = Some(Need::any(&["editor", "admin"]));
    const SCOPES: Option<Need> = Some(Need::all(&["notes:read", "notes:write"]));
}

async fn by_extractor(_: VerifyJwt<{ req::NONE }, Authorize<Writers>>) -> &'static str {
    "ok"
}

fn app(jwt: &JwtManager) -> Router {
    let layered = Router::new().route("/layer", get(|| async { "ok" })).layer(
        jwt.require(req::NONE)
            .roles(Need::any(&["editor", "admin"]))
            .scopes(Need::all(&["notes:read", "notes:write"])),
    );
    Router::new()
        .route("/attribute", get(by_attribute))
        .route("/extractor", get(by_extractor))
        .merge(layered)
        .layer(jwt.layer())
}

fn manager() -> JwtManager {
    JwtManager::new(
        JwtConfig::builder()
            .secret_key(SECRET)
            .roles_claims(["roles", "realm_access.roles"])
            .scopes_claims(["scope", "scp"])
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn token(jwt: &JwtManager, claims: Value) -> String {
    jwt.create_access_token_with("alice", TokenOptions::new().additional_claims(claims))
        .unwrap()
}

#[tokio::test]
async fn the_three_ways_require_and_answer_alike() {
    let jwt = manager();
    let app = app(&jwt);
    let cases: Vec<(Value, u16, Option<&str>)> = vec![
        // Any one role, all the scopes: from a string and from an array.
        (
            json!({"roles": ["editor"], "scope": "notes:read notes:write"}),
            200,
            None,
        ),
        (
            json!({"realm_access": {"roles": ["admin"]}, "scp": ["notes:write", "notes:read"]}),
            200,
            None,
        ),
        // No role of the list.
        (
            json!({"roles": ["viewer"], "scope": "notes:read notes:write"}),
            403,
            Some("One of these roles required: editor, admin"),
        ),
        (
            json!({"scope": "notes:read notes:write"}),
            403,
            Some("One of these roles required: editor, admin"),
        ),
        // One scope short.
        (
            json!({"roles": ["admin"], "scope": "notes:read"}),
            403,
            Some("Scopes required: notes:read, notes:write"),
        ),
        // Scope strings split on U+0020 only (RFC 6749 section 3.3): any
        // other whitespace is part of a name and grants nothing.
        (
            json!({"roles": ["admin"], "scope": "notes:read\u{3000}notes:write"}),
            403,
            Some("Scopes required: notes:read, notes:write"),
        ),
        (
            json!({"roles": "nothing\u{3000}admin", "scope": "notes:read notes:write"}),
            403,
            Some("One of these roles required: editor, admin"),
        ),
        (
            json!({"roles": "nothing\u{a0}admin", "scope": "notes:read\tnotes:write"}),
            403,
            Some("One of these roles required: editor, admin"),
        ),
        (
            json!({"roles": "viewer\neditor", "scope": "notes:read notes:write"}),
            403,
            Some("One of these roles required: editor, admin"),
        ),
        // Spaces, even repeated or at the ends, do separate.
        (
            json!({"roles": " viewer  editor ", "scope": "notes:write  notes:read"}),
            200,
            None,
        ),
        // A claim of the wrong shape: refused, never passed.
        (
            json!({"roles": {"admin": true}, "scope": "notes:read notes:write"}),
            422,
            Some("The roles claim roles must be a string or an array of strings"),
        ),
        (
            json!({"roles": ["admin"], "scope": 5}),
            422,
            Some("The scopes claim scope must be a string or an array of strings"),
        ),
    ];
    for (claims, status, message) in cases {
        let t = token(&jwt, claims.clone());
        for path in ["/attribute", "/extractor", "/layer"] {
            let reply = send(&app, bearer_request("GET", path, Some(&t))).await;
            assert_eq!(reply.status, status, "{path} {claims}: {:?}", reply.body);
            if let Some(message) = message {
                assert_eq!(reply.body, msg(message), "{path} {claims}");
            }
            let challenge = reply
                .headers
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.to_str().unwrap().to_owned());
            if status == 403 {
                let c = challenge.unwrap();
                assert!(c.starts_with("Bearer error=\"insufficient_scope\""), "{c}");
                assert!(
                    c.contains(&format!("error_description=\"{}\"", message.unwrap())),
                    "{c}"
                );
                if message.unwrap().starts_with("Scope") {
                    assert!(c.contains("scope=\"notes:read notes:write\""), "{c}");
                } else {
                    assert!(!c.contains("scope="), "roles are not OAuth scopes: {c}");
                }
            }
        }
    }
    // No token: 401 before any role is looked at.
    for path in ["/attribute", "/extractor", "/layer"] {
        let reply = send(&app, bearer_request("GET", path, None)).await;
        assert_eq!(reply.status, 401, "{path}");
    }
}

#[tokio::test]
async fn the_error_handler_shapes_the_refusal_and_the_challenge_stays() {
    let jwt = manager().error_handler(|error, _| {
        let body = axum::Json(json!({"error": error.kind(), "message": error.to_string()}));
        axum::response::IntoResponse::into_response((error.status(), body))
    });
    let app = app(&jwt);
    let t = token(&jwt, json!({"roles": ["viewer"]}));
    let reply = send(&app, bearer_request("GET", "/attribute", Some(&t))).await;
    assert_eq!(reply.status, 403);
    assert_eq!(
        reply.body,
        json!({"error": "insufficient_scope", "message": "One of these roles required: editor, admin"})
    );
    assert!(reply.headers[header::WWW_AUTHENTICATE]
        .to_str()
        .unwrap()
        .contains("insufficient_scope"));
}
