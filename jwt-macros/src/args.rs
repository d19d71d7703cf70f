//! Arguments of the attributes, parsed with syn's `meta::parser`.
//!
//! Every argument keeps its span; all mistakes are collected and reported at
//! once, each on the smallest token that is wrong.

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{LitBool, LitStr, Path};

/// Which attribute is being expanded; the presets are Flask 3's decorator names.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `#[jwt_required]`
    Required,
    /// `#[jwt_refresh_token_required]`: `refresh` preset.
    Refresh,
    /// `#[fresh_jwt_required]`: `fresh` preset.
    Fresh,
    /// `#[jwt_optional]`: `optional` preset.
    Optional,
}

impl Kind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Required => "jwt_required",
            Kind::Refresh => "jwt_refresh_token_required",
            Kind::Fresh => "fresh_jwt_required",
            Kind::Optional => "jwt_optional",
        }
    }

    pub(crate) const ALL: [Kind; 4] = [Kind::Required, Kind::Refresh, Kind::Fresh, Kind::Optional];
}

pub(crate) const LOCATIONS: [&str; 5] = [
    "headers",
    "cookies",
    "query_string",
    "json",
    "websocket_protocol",
];

const ARGUMENTS: &str =
    "`optional`, `fresh`, `refresh`, `verify_type`, `skip_revocation_check`, `locations(...)`, `roles(...)`, `scopes(...)`, `rule = Type`, `token_type = Type`, `from_state`, `crate = \"...\"`";

/// `roles(...)` or `scopes(...)`: the names and whether all are needed.
pub(crate) struct Grants {
    /// `true` for `any(...)`; bare names and `all(...)` need every one.
    pub(crate) any: bool,
    pub(crate) names: Vec<LitStr>,
    pub(crate) span: Span,
}

/// A flag's value, where it was written, and its position among the arguments.
pub(crate) type Flag = (bool, Span, usize);

/// The parsed arguments; `None` fields were not given.
#[derive(Default)]
pub(crate) struct Args {
    pub(crate) optional: Option<Flag>,
    pub(crate) fresh: Option<Flag>,
    pub(crate) refresh: Option<Flag>,
    pub(crate) verify_type: Option<Flag>,
    pub(crate) skip_revocation_check: Option<Flag>,
    /// `from_state`: the manager comes from the router's state (`FromRef`).
    pub(crate) from_state: Option<Flag>,
    pub(crate) locations: Option<(Vec<syn::Ident>, Span)>,
    pub(crate) krate: Option<Path>,
    pub(crate) rule: Option<syn::Type>,
    /// `token_type = K`: an app-defined token type (`K: TokenKind`).
    pub(crate) token_type: Option<(syn::Type, Span)>,
    /// `roles(...)`.
    pub(crate) roles: Option<Grants>,
    /// `scopes(...)`.
    pub(crate) scopes: Option<Grants>,
}

impl Args {
    pub(crate) fn optional(&self) -> bool {
        self.optional.is_some_and(|(b, _, _)| b)
    }
    pub(crate) fn fresh(&self) -> bool {
        self.fresh.is_some_and(|(b, _, _)| b)
    }
    pub(crate) fn refresh(&self) -> bool {
        self.refresh.is_some_and(|(b, _, _)| b)
    }
    pub(crate) fn verify_type(&self) -> bool {
        self.verify_type.is_none_or(|(b, _, _)| b)
    }
    pub(crate) fn skip_revocation_check(&self) -> bool {
        self.skip_revocation_check.is_some_and(|(b, _, _)| b)
    }
    pub(crate) fn manager_from_state(&self) -> bool {
        self.from_state.is_some_and(|(b, _, _)| b)
    }
}

/// Collects errors so that all of them are reported together.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, err: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(err),
            None => self.0 = Some(err),
        }
    }
    pub(crate) fn at(&mut self, span: Span, msg: impl std::fmt::Display) {
        self.push(syn::Error::new(span, msg));
    }
    pub(crate) fn finish(self) -> Result<(), syn::Error> {
        self.0.map_or(Ok(()), Err)
    }
}

/// A flag given bare (`fresh`) or as `fresh = true`.
fn flag(meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if meta.input.peek(syn::Token![=]) {
        let lit: LitBool = meta
            .value()?
            .parse()
            .map_err(|e| syn::Error::new(e.span(), "expected `true` or `false`"))?;
        Ok(lit.value)
    } else {
        Ok(true)
    }
}

/// Skips whatever follows an unknown argument (`= value` or `(...)`).
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _content;
        syn::parenthesized!(_content in meta.input);
    }
    Ok(())
}

fn set_flag(
    slot: &mut Option<Flag>,
    name: &str,
    meta: &ParseNestedMeta<'_>,
    position: usize,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = meta.path.span();
    let value = flag(meta)?;
    if slot.is_some() {
        errors.at(span, format!("duplicate argument `{name}`"));
    } else {
        *slot = Some((value, span, position));
    }
    Ok(())
}

/// Parses the attribute's arguments for `kind`.
pub(crate) fn parse(kind: Kind, tokens: TokenStream) -> Result<Args, syn::Error> {
    let mut args = Args::default();
    let mut errors = Errors::default();
    let mut position = 0usize;
    let parser = syn::meta::parser(|meta| {
        position += 1;
        let ident = meta.path.get_ident().map(ToString::to_string);
        match ident.as_deref() {
            Some("optional") => {
                set_flag(&mut args.optional, "optional", &meta, position, &mut errors)
            }
            Some("fresh") => set_flag(&mut args.fresh, "fresh", &meta, position, &mut errors),
            Some("refresh") => set_flag(&mut args.refresh, "refresh", &meta, position, &mut errors),
            Some("verify_type") => set_flag(
                &mut args.verify_type,
                "verify_type",
                &meta,
                position,
                &mut errors,
            ),
            Some("skip_revocation_check") => set_flag(
                &mut args.skip_revocation_check,
                "skip_revocation_check",
                &meta,
                position,
                &mut errors,
            ),
            Some("from_state") => set_flag(
                &mut args.from_state,
                "from_state",
                &meta,
                position,
                &mut errors,
            ),
            Some("locations") => parse_locations(&meta, &mut args, &mut errors),
            Some(which @ ("roles" | "scopes")) => {
                let parsed = parse_grants(&meta, which, &mut errors)?;
                let slot = if which == "roles" {
                    &mut args.roles
                } else {
                    &mut args.scopes
                };
                if slot.is_some() {
                    errors.at(meta.path.span(), format!("duplicate argument `{which}`"));
                } else {
                    *slot = Some(parsed);
                }
                Ok(())
            }
            Some("token_type") => {
                let span = meta.path.span();
                let ty: syn::Type = meta.value()?.parse()?;
                if args.token_type.is_some() {
                    errors.at(span, "duplicate argument `token_type`");
                } else {
                    args.token_type = Some((ty, span));
                }
                Ok(())
            }
            Some("rule") => {
                let span = meta.path.span();
                let ty: syn::Type = meta.value()?.parse()?;
                if args.rule.is_some() {
                    errors.at(span, "duplicate argument `rule`");
                } else {
                    args.rule = Some(ty);
                }
                Ok(())
            }
            Some("crate") => {
                let span = meta.path.span();
                let lit: LitStr = meta.value()?.parse()?;
                let path: Path = lit.parse().map_err(|_| {
                    syn::Error::new(lit.span(), "expected a path, as in `crate = \"my_jwt\"`")
                })?;
                if args.krate.is_some() {
                    errors.at(span, "duplicate argument `crate`");
                } else {
                    args.krate = Some(path);
                }
                Ok(())
            }
            _ => {
                errors.at(
                    meta.path.span(),
                    format!(
                        "unknown argument `{}`; expected one of {ARGUMENTS}",
                        path_text(&meta.path)
                    ),
                );
                skip_value(&meta)
            }
        }
    });
    if let Err(e) = parser.parse2(tokens) {
        errors.push(e);
    }
    check_conflicts(kind, &args, &mut errors);
    errors.finish().map(|()| args)
}

/// `locations(headers, cookies, ...)`: known, distinct, at least one.
fn parse_locations(
    meta: &ParseNestedMeta<'_>,
    args: &mut Args,
    errors: &mut Errors,
) -> syn::Result<()> {
    let span = meta.path.span();
    let mut list = Vec::new();
    let mut named = 0usize;
    let content;
    syn::parenthesized!(content in meta.input);
    let nested = syn::meta::parser(|loc| {
        named += 1;
        match loc.path.get_ident() {
            Some(id) if LOCATIONS.contains(&id.to_string().as_str()) => {
                if list.iter().any(|l: &syn::Ident| l == id) {
                    errors.at(id.span(), format!("duplicate location `{id}`"));
                } else {
                    list.push(id.clone());
                }
            }
            _ => errors.at(
                loc.path.span(),
                format!(
                    "unknown location `{}`; expected one of `headers`, `cookies`, `query_string`, `json`, `websocket_protocol`",
                    path_text(&loc.path)
                ),
            ),
        }
        skip_value(&loc)
    });
    if let Err(e) = nested.parse2(content.parse::<TokenStream>()?) {
        errors.push(e);
    }
    if args.locations.is_some() {
        errors.at(span, "duplicate argument `locations`");
    } else {
        if named == 0 {
            errors.at(
                span,
                "`locations(...)` is empty; name at least one of `headers`, `cookies`, `query_string`, `json`, `websocket_protocol`",
            );
        }
        args.locations = Some((list, span));
    }
    Ok(())
}

/// `roles("a")`, `roles("a", "b")` (all), `roles(all("a", "b"))`,
/// `roles(any("a", "b"))`: string literals, none empty or repeated, at
/// least one; scope names without spaces (a scope is one word, RFC 6749).
fn parse_grants(
    meta: &ParseNestedMeta<'_>,
    which: &str,
    errors: &mut Errors,
) -> syn::Result<Grants> {
    let span = meta.path.span();
    let noun = if which == "roles" { "role" } else { "scope" };
    let usage = format!(
        "expected string literals, `all(...)` or `any(...)`, as in `{which}(\"a\")` or `{which}(any(\"a\", \"b\"))`"
    );
    if !meta.input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            span,
            format!("`{which}` needs a list: {usage}"),
        ));
    }
    let content;
    syn::parenthesized!(content in meta.input);
    let mut grants = Grants {
        any: false,
        names: Vec::new(),
        span,
    };
    let mut combinator: Option<Span> = None;
    let mut bare = false;
    // An unknown word was reported: an "empty" list would only repeat it.
    let mut invalid = false;
    while !content.is_empty() {
        if content.peek(LitStr) {
            let lit: LitStr = content.parse()?;
            if combinator.is_some() {
                errors.at(
                    lit.span(),
                    format!(
                        "`{which}(...)` takes either names or one `all(...)`/`any(...)`, not both"
                    ),
                );
            }
            bare = true;
            grants.names.push(lit);
        } else if content.peek(syn::Ident) {
            let word: syn::Ident = content.parse()?;
            let any = match word.to_string().as_str() {
                "any" => true,
                "all" => false,
                other => {
                    errors.at(
                        word.span(),
                        format!("unknown word `{other}` in `{which}(...)`; {usage}"),
                    );
                    invalid = true;
                    skip_group_and_comma(&content)?;
                    continue;
                }
            };
            if bare || combinator.is_some() {
                errors.at(
                    word.span(),
                    format!(
                        "`{which}(...)` takes either names or one `all(...)`/`any(...)`, not both"
                    ),
                );
            }
            combinator = Some(word.span());
            grants.any = any;
            let inner;
            syn::parenthesized!(inner in content);
            let names = inner.parse_terminated(|input| input.parse::<LitStr>(), syn::Token![,])?;
            if names.is_empty() {
                errors.at(
                    word.span(),
                    format!("`{word}()` is empty: name at least one {noun}"),
                );
            }
            grants.names.extend(names);
        } else {
            let _: TokenStream = content.parse()?;
            errors.at(span, format!("`{which}(...)`: {usage}"));
            invalid = true;
            break;
        }
        if !content.is_empty() {
            content.parse::<syn::Token![,]>()?;
        }
    }
    if grants.names.is_empty() && combinator.is_none() && !invalid {
        errors.at(
            span,
            format!("`{which}()` is empty: name at least one {noun}"),
        );
    }
    check_grant_names(which, noun, &grants, errors);
    Ok(grants)
}

/// Skips `(...)` and a `,` after a word that was reported.
fn skip_group_and_comma(content: syn::parse::ParseStream<'_>) -> syn::Result<()> {
    if content.peek(syn::token::Paren) {
        let skipped;
        syn::parenthesized!(skipped in content);
        let _: TokenStream = skipped.parse()?;
    }
    if content.peek(syn::Token![,]) {
        content.parse::<syn::Token![,]>()?;
    }
    Ok(())
}

/// Names that are not empty, not repeated, and for scopes one word each.
fn check_grant_names(which: &str, noun: &str, grants: &Grants, errors: &mut Errors) {
    for (i, name) in grants.names.iter().enumerate() {
        let value = name.value();
        if value.is_empty() {
            errors.at(name.span(), format!("a {noun} cannot be empty"));
        } else if which == "scopes" && value.chars().any(char::is_whitespace) {
            errors.at(
                name.span(),
                "a scope is one word without spaces (a token's `scope` claim is split on spaces)",
            );
        } else if grants.names[..i].iter().any(|n| n.value() == value) {
            errors.at(name.span(), format!("duplicate {noun} `{value}`"));
        }
    }
}

fn path_text(path: &Path) -> String {
    quote::quote!(#path).to_string().replace(' ', "")
}

/// `fresh` with `refresh`, and arguments a preset already implies.
fn check_conflicts(kind: Kind, args: &Args, errors: &mut Errors) {
    check_token_type(kind, args, errors);
    let optional = kind == Kind::Optional || args.optional();
    if optional {
        for (which, grants) in [("roles", &args.roles), ("scopes", &args.scopes)] {
            if let Some(grants) = grants {
                errors.at(
                    grants.span,
                    format!("`{which}(...)` cannot be required on an optional route: a request without a token would pass"),
                );
            }
        }
    }
    match kind {
        Kind::Refresh => {
            if let Some((_, span, _)) = args.refresh {
                errors.at(
                    span,
                    "`refresh` is implied by `#[jwt_refresh_token_required]`; remove it",
                );
            }
            if let Some((true, span, _)) = args.fresh {
                errors.at(
                    span,
                    "`fresh` cannot be used with `#[jwt_refresh_token_required]`: refresh tokens are never fresh",
                );
            }
        }
        Kind::Fresh => {
            if let Some((_, span, _)) = args.fresh {
                errors.at(
                    span,
                    "`fresh` is implied by `#[fresh_jwt_required]`; remove it",
                );
            }
            if let Some((true, span, _)) = args.refresh {
                errors.at(
                    span,
                    "`refresh` cannot be used with `#[fresh_jwt_required]`: refresh tokens are never fresh",
                );
            }
        }
        Kind::Optional => {
            if let Some((_, span, _)) = args.optional {
                errors.at(
                    span,
                    "`optional` is implied by `#[jwt_optional]`; remove it",
                );
            }
        }
        Kind::Required => {
            if let (Some((true, fresh, i)), Some((true, refresh, j))) = (args.fresh, args.refresh) {
                let later = if i > j { fresh } else { refresh };
                errors.at(
                    later,
                    "`fresh` and `refresh` cannot be combined: refresh tokens are never fresh",
                );
            }
        }
    }
}

/// `token_type = K` names the one type the route takes: it cannot be
/// combined with the arguments about access and refresh tokens.
fn check_token_type(kind: Kind, args: &Args, errors: &mut Errors) {
    let Some((_, span)) = &args.token_type else {
        return;
    };
    if matches!(kind, Kind::Refresh | Kind::Fresh) {
        errors.at(
            *span,
            format!(
                "`token_type` cannot be used with `#[{}]`: use `#[jwt_required(token_type = ...)]`",
                kind.name()
            ),
        );
    }
    for (flag, name, why) in [
        (
            args.refresh,
            "refresh",
            "the route takes tokens of `token_type`, not refresh tokens",
        ),
        (
            args.fresh,
            "fresh",
            "tokens of an app-defined type are never fresh",
        ),
        (
            args.verify_type,
            "verify_type",
            "`token_type` is the type check",
        ),
    ] {
        if let Some((_, flag_span, _)) = flag {
            errors.at(
                flag_span,
                format!("`{name}` cannot be combined with `token_type`: {why}"),
            );
        }
    }
}
