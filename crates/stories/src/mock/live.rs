//! The live mock: every account asked about posts a new story every `post_every` (with a little
//! jitter), each with a fresh id, `taken_at` at its posting and an expiry `story_ttl` later,
//! answered in every vendor's documented shape; the ledger lists every story ever posted, the
//! ground truth an archive is compared with.
//!
//! A vendor's shape is learnt from its documented answer, not written here per vendor: the
//! documented body is normalized by the vendor's own normalizer, the list holding its first
//! story is found, and that item becomes a template whose values equal to the story's id,
//! owner, times and media URLs are replaced for each live story. Every template is checked at
//! start by normalizing a live answer again; a route whose shape cannot be made live keeps its
//! documented answer.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{DateTime, SecondsFormat, Utc};
use domain::{Answer, Outcome, QueryKind, RawResponse, Story};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// How live accounts behave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiveOptions {
    /// The mean time between two stories of one account.
    pub post_every: Duration,
    /// How long a story stays up.
    pub story_ttl: Duration,
}

impl Default for LiveOptions {
    fn default() -> Self {
        Self {
            post_every: Duration::from_secs(3600),
            story_ttl: Duration::from_secs(86_400),
        }
    }
}

/// One story the mock posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Posted {
    pub account: String,
    pub id: String,
    pub taken_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The SHA-256 of its media bytes, as any of its renditions serves them.
    pub sha256: String,
}

#[derive(Debug)]
struct Account {
    index: u64,
    user_id: String,
    created: i64,
    posts: Vec<Posted>,
}

/// The live accounts, created the first time each is asked about.
#[derive(Debug)]
pub(super) struct Live {
    options: LiveOptions,
    accounts: Mutex<BTreeMap<String, Account>>,
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Whole seconds, at least one: Instagram's times are seconds.
fn secs(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX).max(1)
}

/// The mock's stand-in media bytes of a live story: the same for every rendition.
pub(super) fn media_seed(story_id: &str) -> u8 {
    story_id
        .bytes()
        .fold(7u8, |a, b| a.wrapping_mul(31).wrapping_add(b))
}

/// The stand-in bytes served for a seed.
pub(super) fn media_bytes(seed: u8) -> Vec<u8> {
    (0..super::MEDIA_BYTES)
        .map(|i| seed.wrapping_add((i % 251) as u8))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Live {
    pub(super) fn new(options: LiveOptions) -> Self {
        Self {
            options,
            accounts: Mutex::default(),
        }
    }

    /// Posts every story due by now on every account.
    fn advance(&self, accounts: &mut BTreeMap<String, Account>, now: i64) {
        let every = secs(self.options.post_every);
        let ttl = secs(self.options.story_ttl);
        for (name, account) in accounts.iter_mut() {
            loop {
                let k = i64::try_from(account.posts.len()).unwrap_or(i64::MAX);
                // Jitter of up to a quarter of the period, fixed per account and story, so
                // two runs of a test see the same timeline relative to the account's start.
                let jitter = i64::from(media_seed(&format!("{name}/{k}"))) * every / 4 / 256;
                let at = account
                    .created
                    .saturating_add(k.saturating_mul(every))
                    .saturating_add(if k == 0 { 0 } else { jitter });
                if at > now {
                    break;
                }
                let id = (3_100_000_000_000_000_000u64
                    + account.index * 100_000_000
                    + u64::try_from(k).unwrap_or(0))
                .to_string();
                let taken_at = DateTime::from_timestamp(at, 0).unwrap_or_default();
                let expires_at =
                    DateTime::from_timestamp(at.saturating_add(ttl), 0).unwrap_or_default();
                let sha256 = sha256_hex(&media_bytes(media_seed(&id)));
                account.posts.push(Posted {
                    account: name.clone(),
                    id,
                    taken_at,
                    expires_at,
                    sha256,
                });
            }
        }
    }

    /// The account named `username` (created now if new), or the one with `user_id`, with its
    /// stories up at this moment.
    pub(super) fn active(&self, key: &AccountKey<'_>) -> Option<(String, String, Vec<Posted>)> {
        let now = now_secs();
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        let name = match key {
            AccountKey::Username(u) => {
                let name = u.trim_start_matches('@').to_ascii_lowercase();
                if !accounts.contains_key(&name) {
                    let index = accounts.len() as u64;
                    accounts.insert(
                        name.clone(),
                        Account {
                            index,
                            user_id: (71_000_000_000 + index).to_string(),
                            created: now,
                            posts: Vec::new(),
                        },
                    );
                }
                name
            }
            AccountKey::UserId(id) => accounts
                .iter()
                .find(|(_, a)| a.user_id == *id)
                .map(|(n, _)| n.clone())?,
        };
        self.advance(&mut accounts, now);
        let account = accounts.get(&name)?;
        let up = account
            .posts
            .iter()
            .filter(|p| p.taken_at.timestamp() <= now && now < p.expires_at.timestamp())
            .cloned()
            .collect();
        Some((name, account.user_id.clone(), up))
    }

    /// Every story ever posted, by account then time.
    pub(super) fn ledger(&self) -> Vec<Posted> {
        let mut accounts = self.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        self.advance(&mut accounts, now_secs());
        accounts
            .values()
            .flat_map(|a| a.posts.iter().cloned())
            .collect()
    }
}

/// How a request names its account.
#[derive(Debug)]
pub(super) enum AccountKey<'a> {
    Username(&'a str),
    UserId(&'a str),
}

/// A vendor's user-stories answer with its story list made a template.
#[derive(Debug, Clone)]
pub(super) struct Template {
    /// The documented body, whose list at `list` is replaced per answer.
    body: Value,
    list: String,
    item: Value,
    story: Story,
    pub(super) by: QueryKind,
}

impl Template {
    /// The template of `operation`'s documented answer `body`, when its normalizer finds a
    /// story in it and a live answer built from it normalizes to the live story again.
    pub(super) fn learn(
        vendor: &crate::Vendor,
        operation: &str,
        by: QueryKind,
        body: &Value,
    ) -> Option<Self> {
        let bytes = serde_json::to_vec(body).ok()?;
        let normalized = (vendor.normalizer.normalize)(operation, RawResponse::ok(&bytes)).ok()?;
        let Outcome::Found(Answer::Stories(page)) = normalized.outcome else {
            return None;
        };
        let story = page.items.into_iter().next()?;
        let list = outermost_list_holding(body, &story.id, "")?;
        let item = body
            .pointer(&list)?
            .as_array()?
            .iter()
            .find(|i| holds_id(i, &story.id))?
            .clone();
        let template = Self {
            body: body.clone(),
            list,
            item,
            story,
            by,
        };
        template.verified(vendor, operation).then_some(template)
    }

    /// A live answer normalizes back to the live story: id, time and owner.
    fn verified(&self, vendor: &crate::Vendor, operation: &str) -> bool {
        let probe = Posted {
            account: "probe.account".into(),
            id: "3100000000999999999".into(),
            taken_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
            expires_at: DateTime::from_timestamp(1_800_086_400, 0).unwrap_or_default(),
            sha256: String::new(),
        };
        let body = self.answer(
            "probe.account",
            "71999999999",
            std::slice::from_ref(&probe),
            "http://h",
        );
        let Ok(normalized) = (vendor.normalizer.normalize)(operation, RawResponse::ok(&body))
        else {
            return false;
        };
        let Outcome::Found(Answer::Stories(page)) = normalized.outcome else {
            return false;
        };
        let [story] = page.items.as_slice() else {
            return false;
        };
        story.id == probe.id
            && story.taken_at == Some(probe.taken_at)
            && story
                .owner
                .as_ref()
                .and_then(|o| o.username.as_deref())
                .is_none_or(|u| u == "probe.account")
            && story
                .best_media()
                .is_some_and(|m| m.url.contains(&format!("/media/live/{}/", probe.id)))
    }

    /// The answer for `username`'s stories `posts`, media URLs pointing at `base`.
    pub(super) fn answer(
        &self,
        username: &str,
        user_id: &str,
        posts: &[Posted],
        base: &str,
    ) -> Vec<u8> {
        let owner = self.story.owner.clone().unwrap_or_default();
        let mut body = self.body.clone();
        let mut owners = Swap::default();
        owners.push_text(owner.username.as_deref(), username);
        owners.push_id(owner.id.as_deref(), user_id);
        owners.apply(&mut body, base, None);
        let items: Vec<Value> = posts
            .iter()
            .map(|post| {
                let mut item = self.item.clone();
                let mut swap = owners.clone();
                swap.push_id(Some(&self.story.id), &post.id);
                swap.prefixed = Some((
                    format!("{}_", self.story.id),
                    format!("{}_{user_id}", post.id),
                ));
                if let Some(t) = self.story.taken_at {
                    swap.push_time(t, post.taken_at);
                }
                if let Some(e) = self.story.expires_at.filter(|e| !e.derived) {
                    swap.push_time(e.at, post.expires_at);
                }
                swap.apply(&mut item, base, Some(&post.id));
                item
            })
            .collect();
        if let Some(list) = body.pointer_mut(&self.list) {
            *list = Value::Array(items);
        }
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

/// Values to replace: text by text, numbers by numbers, instants in either form.
#[derive(Debug, Clone, Default)]
struct Swap {
    text: Vec<(String, String)>,
    numbers: Vec<(u64, u64)>,
    times: Vec<(DateTime<Utc>, DateTime<Utc>)>,
    /// `<old id>_…` becomes `<new id>_<owner>` (instagrapi's and the raw API's `id`).
    prefixed: Option<(String, String)>,
}

impl Swap {
    fn push_text(&mut self, from: Option<&str>, to: &str) {
        if let Some(from) = from.filter(|f| !f.is_empty()) {
            self.text.push((from.to_owned(), to.to_owned()));
        }
    }

    fn push_id(&mut self, from: Option<&str>, to: &str) {
        self.push_text(from, to);
        if let (Some(a), Ok(b)) = (from.and_then(|f| f.parse().ok()), to.parse()) {
            self.numbers.push((a, b));
        }
    }

    fn push_time(&mut self, from: DateTime<Utc>, to: DateTime<Utc>) {
        self.times.push((from, to));
        if let (Ok(a), Ok(b)) = (
            u64::try_from(from.timestamp()),
            u64::try_from(to.timestamp()),
        ) {
            self.numbers.push((a, b));
        }
    }

    /// Rewrites `value` in place; with `media_of`, CDN URLs point at that story's media.
    fn apply(&self, value: &mut Value, base: &str, media_of: Option<&str>) {
        self.apply_under(value, base, media_of, false);
    }

    /// [`Swap::apply`], knowing whether `value` stands under a key naming video.
    fn apply_under(&self, value: &mut Value, base: &str, media_of: Option<&str>, video: bool) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    let video = video || key.to_ascii_lowercase().contains("video");
                    self.apply_under(v, base, media_of, video);
                }
            }
            Value::Array(items) => items
                .iter_mut()
                .for_each(|v| self.apply_under(v, base, media_of, video)),
            Value::Number(n) => {
                if let Some((_, to)) = self
                    .numbers
                    .iter()
                    .find(|(from, _)| n.as_u64() == Some(*from))
                {
                    *value = Value::from(*to);
                }
            }
            Value::String(s) => {
                if let Some(to) = self.text_for(s, base, media_of, video) {
                    *s = to;
                }
            }
            _ => {}
        }
    }

    fn text_for(&self, s: &str, base: &str, media_of: Option<&str>, video: bool) -> Option<String> {
        if let Some((_, to)) = self.text.iter().find(|(from, _)| from == s) {
            return Some(to.clone());
        }
        if let Some((from, to)) = &self.prefixed
            && s.starts_with(from.as_str())
        {
            return Some(to.clone());
        }
        if let Some(instant) = domain::from_iso(s)
            && let Some((_, to)) = self.times.iter().find(|(from, _)| *from == instant)
        {
            let z = s.ends_with('Z');
            return Some(to.to_rfc3339_opts(SecondsFormat::Secs, z));
        }
        if let Some(id) = media_of
            && s.starts_with("https://scontent")
        {
            let ext = if super::rendered::is_video_url(s, video) {
                "mp4"
            } else {
                "jpg"
            };
            let n = media_seed(s);
            return Some(format!(
                "{base}/media/live/{id}/{n}.{ext}?oe={}",
                super::rendered::expiry_now()
            ));
        }
        None
    }
}

/// Whether `value` holds `id` anywhere, as text or as a number.
fn holds_id(value: &Value, id: &str) -> bool {
    match value {
        Value::String(s) => s == id || s.strip_prefix(id).is_some_and(|r| r.starts_with('_')),
        Value::Number(n) => n.to_string() == id,
        Value::Object(map) => map.values().any(|v| holds_id(v, id)),
        Value::Array(items) => items.iter().any(|v| holds_id(v, id)),
        _ => false,
    }
}

/// The JSON pointer of the outermost list with an item holding `id`.
fn outermost_list_holding(value: &Value, id: &str, at: &str) -> Option<String> {
    match value {
        Value::Array(items) if items.iter().any(|i| i.is_object() && holds_id(i, id)) => {
            Some(at.to_owned())
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| outermost_list_holding(v, id, &format!("{at}/{i}"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let key = canonical::pointer::escape(k);
            outermost_list_holding(v, id, &format!("{at}/{key}"))
        }),
        _ => None,
    }
}

/// Whether `kind` asks for an account's live stories.
pub(super) fn is_live_kind(kind: QueryKind) -> bool {
    matches!(
        kind,
        QueryKind::UserStoriesByUsername | QueryKind::UserStoriesById
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_post_on_schedule_and_stories_expire() {
        let live = Live::new(LiveOptions {
            post_every: Duration::from_secs(10),
            story_ttl: Duration::from_secs(25),
        });
        let (name, _, up) = live
            .active(&AccountKey::Username("@Some.One"))
            .unwrap_or_else(|| panic!("account"));
        assert_eq!(name, "some.one");
        assert_eq!(
            up.len(),
            1,
            "the first story is posted when the account appears"
        );
        let mut accounts = live.accounts.lock().unwrap_or_else(PoisonError::into_inner);
        let created = accounts["some.one"].created;
        live.advance(&mut accounts, created + 100);
        let posts = &accounts["some.one"].posts;
        assert!((10..=11).contains(&posts.len()), "{}", posts.len());
        for pair in posts.windows(2) {
            let gap = pair[1].taken_at - pair[0].taken_at;
            assert!(gap.num_seconds() >= 7 && gap.num_seconds() <= 13, "{gap}");
            assert_ne!(pair[0].id, pair[1].id);
        }
        assert!(
            posts
                .iter()
                .all(|p| (p.expires_at - p.taken_at).num_seconds() == 25)
        );
    }

    #[test]
    fn every_vendor_route_for_account_stories_becomes_live() {
        let mut live_routes = Vec::new();
        for vendor in crate::VENDORS {
            let document = vendor.facts.document();
            let examples = client_runtime::examples::response_examples(&document);
            for route in vendor
                .normalizer
                .routes
                .iter()
                .filter(|r| is_live_kind(r.kind))
            {
                let body = examples
                    .iter()
                    .find(|e| e.operation_id == route.operation && e.status == "200")
                    .map(|e| e.body.clone())
                    .unwrap_or(Value::Null);
                let template = Template::learn(vendor, route.operation, route.kind, &body);
                assert!(
                    template.is_some(),
                    "{} {}: its documented answer cannot be made live",
                    vendor.name(),
                    route.operation
                );
                live_routes.push(vendor.name());
            }
        }
        assert!(live_routes.len() >= 2, "{live_routes:?}");
    }
}
