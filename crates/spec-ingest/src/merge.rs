//! Several pages of one vendor into one document: identical parts merge, conflicting ones are
//! an error naming both pages.

use serde_json::{Map, Value, json};

use crate::error::ErrorKind;
use crate::fault::PageFault;
use crate::origin::Origins;
use crate::yaml::escape_segment;

/// Merges `docs` (each with its origin index) into one, recording which origin owns each part.
pub fn merge(docs: Vec<(Value, usize)>, origins: &mut Origins) -> Result<Value, PageFault> {
    let mut merged = json!({});
    for (doc, origin) in docs {
        let Value::Object(doc) = doc else { continue };
        for (key, value) in doc {
            match key.as_str() {
                "paths" => merge_paths(&mut merged, value, origin, origins)?,
                "components" => merge_components(&mut merged, value, origin, origins)?,
                "tags" => merge_tags(&mut merged, value),
                _ => {
                    // info, servers, security and extensions: the first page's stand.
                    if merged.get(&key).is_none() {
                        merged[&key] = value;
                        origins.own(format!("/{}", escape_segment(&key)), origin);
                    }
                }
            }
        }
    }
    Ok(merged)
}

/// Where one page's part goes, and which origin it comes from.
struct Slot {
    pointer: String,
    origin: usize,
}

fn place(
    target: &mut Map<String, Value>,
    name: String,
    value: Value,
    slot: Slot,
    origins: &mut Origins,
) -> Result<(), PageFault> {
    match target.get(&name) {
        None => {
            target.insert(name, value);
            origins.own(slot.pointer, slot.origin);
            Ok(())
        }
        Some(existing) if *existing == value => Ok(()),
        Some(_) => {
            let (page, offset) = origins.origins[slot.origin].place(&slot.pointer);
            let mut fault = PageFault::new(
                ErrorKind::Conflict,
                page,
                offset,
                format!("`{}` is defined differently by two pages", slot.pointer),
            )
            .operation(crate::walk::operation_of_pointer(&slot.pointer));
            if let Some((first_page, first_offset)) = origins.place(&slot.pointer) {
                fault = fault.related(first_page, first_offset);
            }
            Err(fault)
        }
    }
}

fn merge_paths(
    merged: &mut Value,
    paths: Value,
    origin: usize,
    origins: &mut Origins,
) -> Result<(), PageFault> {
    let Value::Object(paths) = paths else {
        return Ok(());
    };
    let target = merged
        .as_object_mut()
        .map(|m| m.entry("paths").or_insert_with(|| json!({})));
    let Some(Value::Object(target)) = target else {
        return Ok(());
    };
    for (path, item) in paths {
        let item_ptr = format!("/paths/{}", escape_segment(&path));
        let Value::Object(item) = item else { continue };
        let slot = target.entry(path).or_insert_with(|| json!({}));
        let Value::Object(slot) = slot else { continue };
        for (key, value) in item {
            let pointer = format!("{item_ptr}/{}", escape_segment(&key));
            place(slot, key, value, Slot { pointer, origin }, origins)?;
        }
    }
    Ok(())
}

fn merge_components(
    merged: &mut Value,
    components: Value,
    origin: usize,
    origins: &mut Origins,
) -> Result<(), PageFault> {
    let Value::Object(components) = components else {
        return Ok(());
    };
    let target = merged
        .as_object_mut()
        .map(|m| m.entry("components").or_insert_with(|| json!({})));
    let Some(Value::Object(target)) = target else {
        return Ok(());
    };
    for (kind, entries) in components {
        let Value::Object(entries) = entries else {
            continue;
        };
        let slot = target.entry(kind.clone()).or_insert_with(|| json!({}));
        let Value::Object(slot) = slot else { continue };
        for (name, value) in entries {
            let pointer = format!(
                "/components/{}/{}",
                escape_segment(&kind),
                escape_segment(&name)
            );
            place(slot, name, value, Slot { pointer, origin }, origins)?;
        }
    }
    Ok(())
}

fn merge_tags(merged: &mut Value, tags: Value) {
    let Value::Array(tags) = tags else { return };
    let target = merged
        .as_object_mut()
        .map(|m| m.entry("tags").or_insert_with(|| json!([])));
    let Some(Value::Array(target)) = target else {
        return;
    };
    for tag in tags {
        let name = tag.get("name").cloned();
        if !target.iter().any(|t| t.get("name") == name.as_ref()) {
            target.push(tag);
        }
    }
}
