//! Requests against a [`Router`] in process (no socket), answers read back
//! as status, JSON body and headers.

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request};
use axum::Router;
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// An answer: status, body as JSON (`Null` when it is not JSON), headers.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Reply {
    /// `(status, body)`, for comparing with one `assert_eq!`.
    pub fn pair(self) -> (u16, Value) {
        (self.status, self.body)
    }

    /// Every `Set-Cookie` header value.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    }

    /// The cookie `name` as set by this answer, parsed.
    pub fn set_cookie(&self, name: &str) -> Option<cookie::Cookie<'static>> {
        self.set_cookies()
            .into_iter()
            .map(|s| cookie::Cookie::parse(s).unwrap())
            .find(|c| c.name() == name)
    }
}

/// Sends `req` through a clone of `app`.
pub async fn send(app: &Router, req: Request<Body>) -> Reply {
    read(app.clone().oneshot(req).await.unwrap()).await
}

/// Status, JSON body (`Null` when it is not JSON) and headers of a response.
async fn read<B>(res: axum::http::Response<B>) -> Reply
where
    B: axum::body::HttpBody,
    B::Error: std::fmt::Debug,
{
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        headers,
    }
}

/// A bodiless request, with `Authorization: Bearer <token>` when given.
pub fn bearer_request(method: &str, uri: &str, token: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(uri);
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    req.body(Body::empty()).unwrap()
}

/// A bodiless GET with this exact `Authorization` header value, if any.
pub fn get_with(uri: &str, authorization: Option<&str>) -> Request<Body> {
    let mut req = Request::builder().uri(uri);
    if let Some(a) = authorization {
        req = req.header(header::AUTHORIZATION, a);
    }
    req.body(Body::empty()).unwrap()
}

/// [`send`] of a [`bearer_request`]: `(status, body)`.
pub async fn call(app: &Router, method: &str, uri: &str, token: Option<&str>) -> (u16, Value) {
    send(app, bearer_request(method, uri, token)).await.pair()
}

/// [`send`] of a [`get_with`]: `(status, body)`.
pub async fn get_auth(app: &Router, uri: &str, authorization: Option<&str>) -> (u16, Value) {
    send(app, get_with(uri, authorization)).await.pair()
}

/// Flask's error body with the default `JWT_ERROR_MESSAGE_KEY`.
pub fn msg(text: &str) -> Value {
    json!({ "msg": text })
}

/// An HTTP/1 client for a server the test started (an example binary).
pub struct Remote {
    client: hyper_util::client::legacy::Client<
        hyper_util::client::legacy::connect::HttpConnector,
        http_body_util::Full<axum::body::Bytes>,
    >,
    base: String,
}

impl Remote {
    /// A client for `http://127.0.0.1:<port>`.
    pub fn new(port: u16) -> Self {
        Remote {
            client: hyper_util::client::legacy::Client::builder(
                hyper_util::rt::TokioExecutor::new(),
            )
            .build_http(),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    /// Sends `method path` with a bearer token and a JSON body when given.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        json: Option<&str>,
    ) -> Reply {
        let mut req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let body = match json {
            Some(b) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                axum::body::Bytes::from(b.to_owned())
            }
            None => axum::body::Bytes::new(),
        };
        // Bounded: a server that never answers fails the test, not the run.
        let exchange = async {
            let res = self
                .client
                .request(req.body(http_body_util::Full::new(body)).unwrap())
                .await
                .unwrap();
            read(res).await
        };
        tokio::time::timeout(std::time::Duration::from_secs(60), exchange)
            .await
            .unwrap_or_else(|_| panic!("{method} {path}: no answer within 60 s"))
    }
}
