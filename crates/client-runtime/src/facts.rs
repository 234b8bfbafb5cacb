//! What one vendor is, as its pages and manifest say: emitted by codegen as one constant per
//! generated crate, read by the unified client, the mock and the tests.

/// How the API key travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Bearer <key>`.
    Bearer,
    /// A named header carrying the bare key.
    Header(&'static str),
    /// No key: a public API.
    None,
}

impl Auth {
    /// The header that carries the key; `None` for a public API.
    pub fn header_name(&self) -> Option<&'static str> {
        match self {
            Auth::Bearer => Some("authorization"),
            Auth::Header(name) => Some(name),
            Auth::None => None,
        }
    }

    /// The header value for `key`.
    pub fn header_value(&self, key: &str) -> String {
        match self {
            Auth::Bearer => format!("Bearer {key}"),
            Auth::Header(_) | Auth::None => key.to_owned(),
        }
    }
}

/// Response headers that report credits, when the vendor sends them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreditHeaders {
    /// Credits left after the call.
    pub remaining: Option<&'static str>,
    /// Credits this call used.
    pub used: Option<&'static str>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    Path,
    Query,
    Header,
}

/// One documented parameter of an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamMeta {
    /// The name on the wire.
    pub name: &'static str,
    pub location: ParamIn,
    pub required: bool,
}

/// Decodes a body into an operation's generated type and encodes it back as JSON, for checking
/// saved responses against the generated types.
pub type Reencode = fn(&[u8]) -> Result<serde_json::Value, String>;

/// The generated types of an operation's bodies: one for every success, one for every error.
/// `None` where the body is bytes or undocumented.
#[derive(Debug, Clone, Copy)]
pub struct BodyTypes {
    pub success: Option<Reencode>,
    pub error: Option<Reencode>,
}

impl BodyTypes {
    /// The decoder for a response with `status`.
    pub fn for_status(&self, status: u16) -> Option<Reencode> {
        if (200..300).contains(&status) {
            self.success
        } else {
            self.error
        }
    }
}

/// [`Reencode`] for the generated type `T`.
pub fn reencode<T: serde::de::DeserializeOwned + serde::Serialize>(
    body: &[u8],
) -> Result<serde_json::Value, String> {
    let typed: T = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// One operation and what a call costs, as the vendor documents it.
#[derive(Debug, Clone, Copy)]
pub struct OperationMeta {
    pub operation_id: &'static str,
    /// Upper case: `GET`, `POST`, ….
    pub method: &'static str,
    /// The path template, e.g. `/v1/instagram/highlights/{highlightId}`.
    pub path: &'static str,
    /// Units charged per call.
    pub cost: u32,
    /// `credit` or `request`.
    pub cost_unit: &'static str,
    pub deprecated: bool,
    pub params: &'static [ParamMeta],
    /// The generated types of its bodies.
    pub bodies: BodyTypes,
}

impl OperationMeta {
    /// The parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&'static ParamMeta> {
        self.params.iter().find(|p| p.name == name)
    }
}

/// Everything that differs between vendors, in one value per generated crate (`VENDOR`).
#[derive(Clone, Copy)]
pub struct VendorFacts {
    /// The short name, as the folder under `specs/`.
    pub name: &'static str,
    pub display_name: &'static str,
    /// The production base URL.
    pub base_url: &'static str,
    pub auth: Auth,
    pub credit_headers: CreditHeaders,
    pub operations: &'static [OperationMeta],
    /// The canonical OpenAPI 3.0.3 document the client was generated from.
    pub openapi_document: &'static str,
}

impl std::fmt::Debug for VendorFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The canonical document runs to tens of kilobytes; its size says enough.
        f.debug_struct("VendorFacts")
            .field("name", &self.name)
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("credit_headers", &self.credit_headers)
            .field("operations", &self.operations.len())
            .field(
                "openapi_document",
                &format_args!("{} bytes", self.openapi_document.len()),
            )
            .finish()
    }
}

impl VendorFacts {
    /// The operation with this id.
    pub fn operation(&self, operation_id: &str) -> Option<&'static OperationMeta> {
        self.operations
            .iter()
            .find(|o| o.operation_id == operation_id)
    }

    /// The ids of every operation, in document order.
    pub fn operation_ids(&self) -> impl Iterator<Item = &'static str> {
        self.operations.iter().map(|o| o.operation_id)
    }
}
