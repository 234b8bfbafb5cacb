//! A loopback server that answers like every vendor, from the examples in their canonical
//! documents: `/<vendor>/<path>` serves `<vendor>`'s documented response for that operation.
//! It checks the auth header, rewrites media URLs to point at itself (so downloads work
//! offline), and injects faults on demand: latency, 429 with `Retry-After`, 500, a truncated
//! body, or the wrong content type.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use futures::StreamExt;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod live;
mod rendered;

use self::live::{AccountKey, Live, Template};
pub use self::live::{LiveOptions, Posted};
use self::rendered::{Rendered, expiry_now};

/// The API key the mock accepts for every vendor.
pub const MOCK_KEY: &str = "mock-key";

/// A fault to inject into a vendor's responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// 429 with `Retry-After: <seconds>`.
    RateLimited { retry_after_seconds: u64 },
    /// 500 with the vendor's documented 500 body when it has one.
    ServerError,
    /// 402, the vendor's out-of-credits answer.
    OutOfCredits,
    /// The documented body cut in half.
    Truncated,
    /// An HTML page instead of JSON.
    WrongContentType,
    /// The documented body departing from its documentation: the last field of every object
    /// left out (ids excepted) and an undocumented field added, as vendors do without notice.
    Drifted,
}

impl Fault {
    /// The name `--fault` takes.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::RateLimited { .. } => "429",
            Fault::ServerError => "500",
            Fault::OutOfCredits => "402",
            Fault::Truncated => "truncated",
            Fault::WrongContentType => "wrong-content-type",
            Fault::Drifted => "drift",
        }
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "429" | "rate-limited" => Fault::RateLimited {
                retry_after_seconds: 1,
            },
            "500" | "server-error" => Fault::ServerError,
            "402" | "out-of-credits" => Fault::OutOfCredits,
            "truncated" => Fault::Truncated,
            "wrong-content-type" => Fault::WrongContentType,
            "drift" | "drifted" => Fault::Drifted,
            other => {
                return Err(format!(
                    "unknown fault `{other}` (429, 500, 402, truncated, wrong-content-type, drift)"
                ));
            }
        })
    }
}

/// One documented operation of one vendor.
#[derive(Debug, Clone)]
struct Route {
    method: Method,
    segments: Vec<String>,
    bytes: bool,
    /// The documented success body, and the same departing from its documentation.
    ok: Rendered,
    drifted: Rendered,
    /// The documented success body cut in half.
    truncated: Vec<u8>,
    /// Documented error bodies by status (`null` where none is documented).
    errors: BTreeMap<u16, Rendered>,
    /// The answer to the magic input `private`: the vendor's documented private-account
    /// answer, or the closest its documented shapes allow.
    private: (u16, Rendered),
    /// The answer to the magic input `missing`.
    missing: (u16, Rendered),
    /// For an account's stories: the documented answer as a template for live stories, and
    /// the parameter naming the account.
    live: Option<(Template, &'static client_runtime::ParamMeta)>,
    /// The vendor documents no success answer (its example is built from the schema, with
    /// placeholders its own normalizer refuses).
    placeholder: bool,
}

#[derive(Debug)]
struct Vendor {
    auth: client_runtime::Auth,
    routes: Vec<Route>,
    credit_headers: client_runtime::CreditHeaders,
}

#[derive(Debug, Default)]
struct Faults {
    /// (fault, how many more responses get it; `None` = until cleared).
    by_vendor: BTreeMap<String, (Fault, Option<usize>)>,
    latency: Duration,
    hits: BTreeMap<&'static str, usize>,
    /// Media requests, and how many of them carried any vendor's auth header.
    media: usize,
    media_with_keys: usize,
    /// When each live account's stories were asked for.
    polls: BTreeMap<String, Vec<std::time::Instant>>,
}

struct Shared {
    vendors: BTreeMap<&'static str, Vendor>,
    faults: Mutex<Faults>,
    base: String,
    /// Live accounts, when started live.
    live: Option<Live>,
    /// True while media transfers stall after their first chunk.
    media_stalled: tokio::sync::watch::Sender<bool>,
}

/// A running mock server. Dropping it shuts the server down.
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    shared: Arc<SharedHandle>,
    shutdown: Option<oneshot::Sender<()>>,
}

/// Keeps `Shared` out of `Debug`.
struct SharedHandle(Arc<Shared>);

impl std::fmt::Debug for SharedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MockState")
    }
}

/// Every vendor's routes, with every answer rendered once for clients reaching the mock at
/// `base`.
fn vendors(base: &str) -> BTreeMap<&'static str, Vendor> {
    let mut out = BTreeMap::new();
    for vendor in crate::VENDORS {
        let facts = vendor.facts;
        let document = facts.document();
        let examples = client_runtime::examples::response_examples(&document);
        let routes = facts
            .operations
            .iter()
            .map(|op| {
                let responses = document.pointer(&format!(
                    "{}/responses",
                    canonical::pointer::operation(op.path, &op.method.to_ascii_lowercase())
                ));
                let bytes = responses
                    .and_then(|r| r.pointer("/200/content"))
                    .and_then(Value::as_object)
                    .is_some_and(|c| c.keys().any(|k| k == "application/octet-stream"));
                let forbidden_documented = responses.and_then(|r| r.get("403")).is_some();
                let bodies: BTreeMap<u16, Value> = examples
                    .iter()
                    .filter(|e| e.operation_id == op.operation_id)
                    .filter_map(|e| Some((e.status.parse().ok()?, e.body.clone())))
                    .collect();
                let documented = |status: u16| bodies.get(&status).cloned().unwrap_or(Value::Null);
                // A success body built from the schema alone has placeholder values: the mock
                // has no answer to give, and says so rather than serve `"pk": "string"`.
                let placeholder = examples.iter().any(|e| {
                    e.operation_id == op.operation_id
                        && e.status.starts_with('2')
                        && !e.documented
                        && (vendor.normalizer.normalize)(
                            op.operation_id,
                            domain::RawResponse::ok(
                                &serde_json::to_vec(&e.body).unwrap_or_default(),
                            ),
                        )
                        .is_err()
                });
                let mut drifted = documented(200);
                drift(&mut drifted);
                if let Some(top) = drifted.as_object_mut() {
                    top.insert("x_mock_drift".into(), Value::Bool(true));
                }
                let (private_status, private) =
                    private_answer(vendor, op.operation_id, &bodies, forbidden_documented);
                let live = vendor
                    .normalizer
                    .routes
                    .iter()
                    .filter(|r| r.operation == op.operation_id && live::is_live_kind(r.kind))
                    .find_map(|r| {
                        let template =
                            Template::learn(vendor, op.operation_id, r.kind, &documented(200))?;
                        Some((template, op.param(r.param)?))
                    });
                Route {
                    method: op.method.parse().unwrap_or(Method::GET),
                    segments: op
                        .path
                        .split('/')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    bytes,
                    ok: Rendered::new(&documented(200), base),
                    drifted: Rendered::new(&drifted, base),
                    truncated: truncated(&documented(200)),
                    errors: [401, 402, 429, 500]
                        .into_iter()
                        .map(|status| (status, Rendered::new(&documented(status), base)))
                        .collect(),
                    private: (private_status, Rendered::new(&private, base)),
                    missing: (404, Rendered::new(&documented(404), base)),
                    live,
                    placeholder,
                }
            })
            .collect();
        out.insert(
            facts.name,
            Vendor {
                auth: facts.auth,
                routes,
                credit_headers: facts.credit_headers,
            },
        );
    }
    out
}

impl MockServer {
    /// Starts on `addr` (use port 0 for any free port).
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok(Self::serve(listener, addr, format!("http://{addr}")))
    }

    /// Starts live on `addr`: every account asked about posts stories as `options` says
    /// (see [`LiveOptions`]), and [`MockServer::ledger`] lists them all.
    pub async fn start_live(addr: SocketAddr, options: LiveOptions) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        Ok(Self::serve_with(
            listener,
            addr,
            format!("http://{addr}"),
            Some(options),
        ))
    }

    /// Serves on `listener` — a TLS listener, say — which clients reach at `base`
    /// (`https://localhost:8443`). Must be called within a Tokio runtime.
    pub fn serve<L>(listener: L, addr: SocketAddr, base: String) -> Self
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        Self::serve_with(listener, addr, base, None)
    }

    /// [`MockServer::serve`], live when `live` is given.
    pub fn serve_with<L>(
        listener: L,
        addr: SocketAddr,
        base: String,
        live: Option<LiveOptions>,
    ) -> Self
    where
        L: axum::serve::Listener,
        L::Addr: std::fmt::Debug,
    {
        let shared = Arc::new(Shared {
            vendors: vendors(&base),
            faults: Mutex::default(),
            base,
            live: live.map(Live::new),
            media_stalled: tokio::sync::watch::Sender::new(false),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Self {
            addr,
            shared: Arc::new(SharedHandle(shared)),
            shutdown: Some(tx),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The mock's routes as a service sharing this server's state (faults, hits), for calling
    /// it in process — in benchmarks, or mounted in another axum application.
    pub fn router(&self) -> Router {
        Router::new()
            .fallback(handle)
            .with_state(self.shared.0.clone())
    }

    /// The base URL to give `vendor`'s client.
    pub fn base_url(&self, vendor: &str) -> String {
        format!("{}/{vendor}", self.shared.0.base)
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.shared
            .0
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes `vendor` answer with `fault`, for the next `times` responses or until cleared.
    pub fn set_fault(&self, vendor: &str, fault: Fault, times: Option<usize>) {
        self.faults()
            .by_vendor
            .insert(vendor.to_owned(), (fault, times));
    }

    pub fn clear_faults(&self) {
        self.faults().by_vendor.clear();
    }

    /// Delays every response.
    pub fn set_latency(&self, latency: Duration) {
        self.faults().latency = latency;
    }

    /// While `stalled`, every media response sends its headers and first chunk and then waits
    /// until released: a transfer that is certainly in progress, for interrupting one.
    pub fn stall_media(&self, stalled: bool) {
        self.shared.0.media_stalled.send_replace(stalled);
    }

    /// How many API requests `vendor` has answered.
    pub fn hits(&self, vendor: &str) -> usize {
        self.faults().hits.get(vendor).copied().unwrap_or(0)
    }

    /// Media requests served, and how many carried a vendor's auth header (a CDN must never
    /// see an API key).
    pub fn media_requests(&self) -> (usize, usize) {
        let f = self.faults();
        (f.media, f.media_with_keys)
    }

    /// Every story a live mock has posted (empty when not live).
    pub fn ledger(&self) -> Vec<Posted> {
        self.shared
            .0
            .live
            .as_ref()
            .map(Live::ledger)
            .unwrap_or_default()
    }

    /// When each live account's stories were asked for, in order.
    pub fn polls(&self) -> BTreeMap<String, Vec<std::time::Instant>> {
        self.faults().polls.clone()
    }

    /// The environment that points the `stories` CLI at this mock.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for vendor in crate::VENDORS {
            out.push((vendor.key_variable(), MOCK_KEY.to_owned()));
            out.push((vendor.url_variable(), self.base_url(vendor.name())));
        }
        out
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn json_response(status: u16, body: Vec<u8>) -> Response {
    let mut resp = Response::new(Body::from(body));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// A rendered answer with a fresh media expiry.
fn answer(status: u16, rendered: &Rendered) -> Response {
    json_response(status, rendered.body(&expiry_now()))
}

/// The mock's own complaint (no such vendor or endpoint), not a vendor's.
fn complaint(message: &str) -> Response {
    json_response(
        404,
        serde_json::to_vec(&serde_json::json!({ "error": message })).unwrap_or_default(),
    )
}

/// The first half of `body`'s text, cut on a character boundary.
fn truncated(body: &Value) -> Vec<u8> {
    let text = serde_json::to_string(body).unwrap_or_default();
    let half = text
        .char_indices()
        .nth(text.chars().count() / 2)
        .map_or(0, |(i, _)| i);
    text.as_bytes()[..half].to_vec()
}

fn authorized(vendor: &Vendor, headers: &HeaderMap) -> bool {
    let Some(name) = vendor.auth.header_name() else {
        return true;
    };
    let expected = vendor.auth.header_value(MOCK_KEY);
    headers.get(name).and_then(|v| v.to_str().ok()) == Some(expected.as_str())
}

fn matches(route: &Route, method: &Method, segments: &[&str]) -> bool {
    route.method == *method
        && route.segments.len() == segments.len()
        && route
            .segments
            .iter()
            .zip(segments)
            .all(|(r, s)| r.starts_with('{') || r == s)
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments == ["_mock", "ledger"] {
        return match &shared.live {
            Some(live) => {
                json_response(200, serde_json::to_vec(&live.ledger()).unwrap_or_default())
            }
            None => complaint("the ledger is kept only by a live mock (`stories mock --live`)"),
        };
    }
    if segments.first() == Some(&"media") {
        let with_key = shared.vendors.values().any(|v| {
            v.auth
                .header_name()
                .is_some_and(|name| request.headers().contains_key(name))
        });
        let latency = {
            let mut f = shared.faults.lock().unwrap_or_else(PoisonError::into_inner);
            f.media += 1;
            f.media_with_keys += usize::from(with_key);
            f.latency
        };
        let stall = (*shared.media_stalled.borrow()).then(|| shared.media_stalled.subscribe());
        return media(&path, latency, stall);
    }
    let Some((vendor_name, rest)) = segments.split_first() else {
        return complaint("no vendor in path");
    };
    let Some((&vendor_name, vendor)) = shared.vendors.get_key_value(*vendor_name) else {
        return complaint(&format!("unknown vendor {vendor_name}"));
    };
    let (fault, latency) = {
        let mut f = shared.faults.lock().unwrap_or_else(PoisonError::into_inner);
        *f.hits.entry(vendor_name).or_default() += 1;
        let fault = match f.by_vendor.get_mut(vendor_name) {
            Some((_, Some(0))) | None => None,
            Some((fault, Some(n))) => {
                *n -= 1;
                Some(*fault)
            }
            Some((fault, None)) => Some(*fault),
        };
        (fault, f.latency)
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let Some(route) = vendor
        .routes
        .iter()
        .find(|r| matches(r, request.method(), rest))
    else {
        return complaint(&format!("no such endpoint: {path}"));
    };
    let error = |status: u16| {
        route.errors.get(&status).map_or_else(
            || json_response(status, b"null".to_vec()),
            |r| answer(status, r),
        )
    };
    if !authorized(vendor, request.headers()) {
        return error(401);
    }
    match fault {
        Some(Fault::RateLimited {
            retry_after_seconds,
        }) => {
            let mut resp = error(429);
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_seconds));
            return resp;
        }
        Some(Fault::ServerError) => return error(500),
        Some(Fault::OutOfCredits) => return error(402),
        Some(Fault::WrongContentType) => {
            let mut resp = Response::new(Body::from("<html><body>502 Bad Gateway</body></html>"));
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            return resp;
        }
        Some(Fault::Truncated) => return json_response(200, route.truncated.clone()),
        Some(Fault::Drifted) | None => {}
    }
    // Magic inputs for trying the unhappy answers, on every route: `missing` (or the id `404`,
    // or a URL with a `/missing/` segment) is not found; `private` (the id `403`, a
    // `/private/` segment) is the vendor's documented private-account answer (HikerAPI's 403),
    // else the documented body as Instagram gives it for a private account: the account
    // flagged `is_private` and every list empty.
    if magic(&query, rest, "missing", "404") {
        return answer(route.missing.0, &route.missing.1);
    }
    if magic(&query, rest, "private", "403") {
        return answer(route.private.0, &route.private.1);
    }
    if route.bytes {
        return media("/media/0.mp4", Duration::ZERO, None);
    }
    if route.placeholder && route.live.is_none() {
        let why = format!(
            "the mock has no documented answer for {vendor_name} {path}: the vendor's docs show none"
        );
        // Under every key the vendors' normalizers read a message from.
        return json_response(
            501,
            serde_json::to_vec(
                &serde_json::json!({"code": 501, "message": why, "detail": why, "error": why}),
            )
            .unwrap_or_default(),
        );
    }
    if let (Some(live), Some((template, param))) = (&shared.live, &route.live) {
        let Some(input) = argument(param, &route.segments, rest, &query) else {
            return error(400);
        };
        let key = match template.by {
            domain::QueryKind::UserStoriesById => AccountKey::UserId(&input),
            _ => AccountKey::Username(&input),
        };
        let Some((account, user_id, posts)) = live.active(&key) else {
            return answer(route.missing.0, &route.missing.1);
        };
        shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .polls
            .entry(account.clone())
            .or_default()
            .push(std::time::Instant::now());
        let body = template.answer(&account, &user_id, &posts, &shared.base);
        let mut resp = json_response(200, body);
        credit_headers(vendor, &mut resp);
        return resp;
    }
    let body = if fault == Some(Fault::Drifted) {
        &route.drifted
    } else {
        &route.ok
    };
    let mut resp = answer(200, body);
    credit_headers(vendor, &mut resp);
    resp
}

/// Vendors that report credits in headers do so on every answer.
fn credit_headers(vendor: &Vendor, resp: &mut Response) {
    let credit_headers = [
        (vendor.credit_headers.remaining, "999"),
        (vendor.credit_headers.used, "1"),
    ];
    for (name, value) in credit_headers {
        if let Some(name) = name.and_then(|n| HeaderName::from_bytes(n.as_bytes()).ok()) {
            resp.headers_mut()
                .insert(name, HeaderValue::from_static(value));
        }
    }
}

/// The value of `param` in a request: a query value, or the path segment standing where the
/// route has `{param}`.
fn argument(
    param: &client_runtime::ParamMeta,
    route: &[String],
    segments: &[&str],
    query: &str,
) -> Option<String> {
    match param.location {
        client_runtime::ParamIn::Path => route
            .iter()
            .position(|s| s.trim_matches(|c| c == '{' || c == '}') == param.name)
            .and_then(|i| segments.get(i))
            .map(|s| (*s).to_owned()),
        _ => url::form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == param.name)
            .map(|(_, v)| v.into_owned()),
    }
}

/// Whether the request's input — a query value or a path segment — is the magic `word`, the
/// magic `id` (also prefixed, as in `highlight:403`), or a URL with either as a segment.
fn magic(query: &str, segments: &[&str], word: &str, id: &str) -> bool {
    let is_magic = |v: &str| {
        v == word
            || v.rsplit(':').next() == Some(id)
            || [word, id]
                .iter()
                .any(|w| v.split('/').any(|segment| segment == *w) && v.contains("://"))
    };
    segments.iter().any(|s| is_magic(s))
        || url::form_urlencoded::parse(query.as_bytes()).any(|(_, v)| is_magic(&v))
}

/// The first of the vendor's possible private-account answers its own normalizer reads as a
/// private account: its documented 403, or its documented success body as Instagram gives it
/// for a private account. A vendor whose shapes cannot say "private" gets the latter, which
/// reads as an account with nothing to show.
fn private_answer(
    vendor: &crate::Vendor,
    operation: &str,
    bodies: &BTreeMap<u16, Value>,
    forbidden_documented: bool,
) -> (u16, Value) {
    let mut emptied = bodies.get(&200).cloned().unwrap_or(Value::Null);
    make_private(&mut emptied);
    let mut candidates = Vec::new();
    if forbidden_documented {
        candidates.push((403, bodies.get(&403).cloned().unwrap_or(Value::Null)));
    }
    candidates.push((200, emptied.clone()));
    candidates
        .into_iter()
        .find(|(status, body)| {
            let bytes = serde_json::to_vec(body).unwrap_or_default();
            let raw = domain::RawResponse {
                status: *status,
                retry_after_seconds: None,
                body: &bytes,
            };
            (vendor.normalizer.normalize)(operation, raw)
                .is_ok_and(|n| n.outcome == domain::Outcome::PrivateAccount)
        })
        .unwrap_or((200, emptied))
}

/// What a private account's answer looks like where the vendor has no status for it: every
/// `is_private` flag set and every list of objects emptied (lists keyed by position too).
fn make_private(value: &mut Value) {
    match value {
        Value::Object(map)
            if !map.is_empty()
                && map.keys().all(|k| k.bytes().all(|b| b.is_ascii_digit()))
                && map.values().any(Value::is_object) =>
        {
            map.clear();
        }
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key == "is_private" {
                    *v = Value::Bool(true);
                } else {
                    make_private(v);
                }
            }
        }
        Value::Array(items) if items.iter().any(Value::is_object) => items.clear(),
        Value::Array(items) => items.iter_mut().for_each(make_private),
        _ => {}
    }
}

/// Leaves out the last field of every object below `value`, unless it names an id.
fn drift(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let last = map.keys().next_back().cloned();
            if let Some(key) = last.filter(|k| {
                let k = k.to_ascii_lowercase();
                !(k == "id" || k == "pk" || k.ends_with("id") || k == "items")
            }) && map.len() > 1
            {
                map.shift_remove(&key);
            }
            map.values_mut().for_each(drift);
        }
        Value::Array(items) => items.iter_mut().for_each(drift),
        _ => {}
    }
}

/// The size of every stand-in media file.
pub const MEDIA_BYTES: usize = 64 * 1024;

/// Deterministic stand-in media bytes. With a latency set, they trickle out in eight chunks
/// over that time, so a download can be interrupted half-way; with `stall`, the chunks after
/// the first wait until it reads false.
fn media(
    path: &str,
    latency: Duration,
    stall: Option<tokio::sync::watch::Receiver<bool>>,
) -> Response {
    let video = path.contains(".mp4");
    // A live story's renditions all serve the bytes of its id (`/media/live/<id>/…`), so the
    // ledger can give one checksum per story.
    let seed = match path.strip_prefix("/media/live/") {
        Some(rest) => live::media_seed(rest.split('/').next().unwrap_or_default()),
        None => live::media_seed(path),
    };
    let bytes = live::media_bytes(seed);
    let body = if latency.is_zero() && stall.is_none() {
        Body::from(bytes)
    } else {
        let chunks: Vec<Vec<u8>> = bytes.chunks(MEDIA_BYTES / 8).map(<[u8]>::to_vec).collect();
        let pause = latency / 8;
        Body::from_stream(futures::stream::iter(chunks.into_iter().enumerate()).then(
            move |(i, chunk)| {
                let mut stall = stall.clone();
                async move {
                    tokio::time::sleep(pause).await;
                    if i > 0
                        && let Some(stall) = &mut stall
                    {
                        // The sender lives as long as the server.
                        let _ = stall.wait_for(|stalled| !stalled).await;
                    }
                    Ok::<_, std::convert::Infallible>(chunk)
                }
            },
        ))
    };
    let mut resp = Response::new(body);
    resp.headers_mut().insert(
        header::CONTENT_LENGTH,
        HeaderValue::from(MEDIA_BYTES as u64),
    );
    let kind = if video { "video/mp4" } else { "image/jpeg" };
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_has_routes_with_documented_bodies() {
        let v = vendors("http://127.0.0.1:9");
        assert_eq!(v.len(), crate::VENDORS.len());
        for (name, vendor) in &v {
            assert!(!vendor.routes.is_empty(), "{name}");
            assert!(
                vendor
                    .routes
                    .iter()
                    .any(|r| r.ok.body("0") != b"null" || r.bytes),
                "{name}"
            );
        }
    }

    #[test]
    fn faults_parse() {
        assert_eq!(
            "429".parse::<Fault>(),
            Ok(Fault::RateLimited {
                retry_after_seconds: 1
            })
        );
        assert!("nope".parse::<Fault>().is_err());
    }
}
