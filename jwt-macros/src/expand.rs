//! Code generation: the handler keeps its signature, gains a hidden guard
//! extractor as first argument, and runs its body in the token's task-local
//! scope.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, LitStr, ReturnType, Type};

use crate::args::{self, Args, Errors, Kind};

/// axum implements `Handler` for functions of at most 16 extractors.
const MAX_HANDLER_ARGS: usize = 16;

/// Expands one attribute. On any error the user's function is emitted
/// unchanged next to the errors, so it still exists for the rest of the crate.
pub(crate) fn expand(kind: Kind, attr: TokenStream, item: TokenStream) -> TokenStream {
    let func: ItemFn = match syn::parse2(item.clone()) {
        Ok(func) => func,
        Err(_) => {
            let err = syn::Error::new(
                Span::call_site(),
                format!("`#[{}]` can only be used on an `async fn`", kind.name()),
            );
            let err = err.to_compile_error();
            return quote! { #item #err };
        }
    };
    let mut errors = Errors::default();
    let args = match args::parse(kind, attr) {
        Ok(args) => Some(args),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    check_function(kind, &func, &mut errors);
    match (errors.finish(), args) {
        (Ok(()), Some(args)) => generate(kind, &args, func),
        (Err(e), _) => {
            let e = e.to_compile_error();
            quote! { #func #e }
        }
        (Ok(()), None) => quote! { #func },
    }
}

fn check_function(kind: Kind, func: &ItemFn, errors: &mut Errors) {
    let name = kind.name();
    let sig = &func.sig;
    if sig.asyncness.is_none() {
        errors.at(
            sig.fn_token.span,
            format!("`#[{name}]` can only be used on an `async fn`"),
        );
    }
    for input in &sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            errors.at(
                receiver.span(),
                format!("`#[{name}]` cannot be used on a method that takes `self`: axum handlers are free or associated functions"),
            );
        }
    }
    if sig.inputs.len() >= MAX_HANDLER_ARGS {
        let last = sig.inputs.last().map_or(sig.ident.span(), Spanned::span);
        errors.at(
            last,
            format!(
                "`#[{name}]` adds an extractor, and axum handlers take at most {MAX_HANDLER_ARGS}: this one already has {}",
                sig.inputs.len()
            ),
        );
    }
    for attr in &func.attrs {
        let last = attr.path().segments.last().map(|s| s.ident.to_string());
        if let Some(other) = last {
            if Kind::ALL.iter().any(|k| k.name() == other) {
                errors.at(
                    attr.span(),
                    format!("`#[{other}]` is applied twice (with `#[{name}]`); use a single attribute with all the arguments"),
                );
            }
        }
    }
}

fn generate(kind: Kind, args: &Args, mut func: ItemFn) -> TokenStream {
    let krate = args
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::axum_jwt_extended));
    let private = quote!(#krate::__private);

    let mut bits: Vec<TokenStream> = Vec::new();
    if args.optional() || kind == Kind::Optional {
        bits.push(quote!(#private::req::OPTIONAL));
    }
    if args.fresh() || kind == Kind::Fresh {
        bits.push(quote!(#private::req::FRESH));
    }
    if args.refresh() || kind == Kind::Refresh {
        bits.push(quote!(#private::req::REFRESH));
    }
    if !args.verify_type() {
        bits.push(quote!(#private::req::NO_VERIFY_TYPE));
    }
    if args.skip_revocation_check() {
        bits.push(quote!(#private::req::SKIP_REVOCATION_CHECK));
    }
    if args.token_type.is_some() {
        bits.push(quote!(#private::req::CUSTOM_TYPE));
    }
    if let Some((locations, _)) = &args.locations {
        let variants = locations.iter().map(|l| {
            let variant = match l.to_string().as_str() {
                "headers" => "Headers",
                "cookies" => "Cookies",
                "query_string" => "QueryString",
                "websocket_protocol" => "WebsocketProtocol",
                _ => "Json",
            };
            let variant = Ident::new(variant, l.span());
            quote!(#private::Location::#variant)
        });
        bits.push(quote!(#private::req::locations(&[#(#variants),*])));
    }
    // The attribute's guard is the handler's first argument: the typed
    // extractors after it take its verification as theirs.
    bits.push(quote!(#private::req::FIRST));
    let requirements = quote!(#(#bits)|*);

    let guard = Ident::new("__jwt_guard", Span::mixed_site());
    let body_future = Ident::new("__jwt_body", Span::mixed_site());
    let result = Ident::new("__jwt_result", Span::mixed_site());

    let (authorization, authorize) = authorization(args, &private, &func);
    add_openapi_security(kind, args, &mut func);
    let guard_arg = guard_arg(args, authorize, &private, &requirements, &guard);
    func.sig.inputs.insert(0, guard_arg);

    let block = &func.block;
    // The fake return edge: the user's block is assigned to a binding of the
    // declared return type, so a type error points at the user's code and the
    // return type. `impl Trait` cannot be named in a `let`, so it is left to
    // inference.
    let inner = match &func.sig.output {
        ReturnType::Type(_, ty) if !contains_impl_trait(ty) => {
            let ty_span = ty.span();
            let annotated = quote_spanned! {ty_span=> #result: #ty };
            quote! {
                async move {
                    let #annotated = #block;
                    #result
                }
            }
        }
        ReturnType::Type(..) => quote! { async move #block },
        ReturnType::Default => quote! {
            async move {
                let #result: () = #block;
                #result
            }
        },
    };
    let body: syn::Block = syn::parse_quote! {{
        #[allow(
            clippy::let_and_return,
            clippy::let_unit_value,
            clippy::needless_return,
            clippy::unused_unit,
            unreachable_code,
            unused_braces
        )]
        let #body_future = #inner;
        #private::VerifyJwt::run(#guard, #body_future).await
    }};
    *func.block = body;
    quote! { #authorization #func }
}

/// With `#[utoipa::path(...)]` below the attribute and no `security(...)`
/// in it: the operation's security requirement, written from the route's
/// arguments (scheme per location: `bearer_jwt` for headers, `cookie_jwt`
/// for cookies; the roles and scopes as the requirement's names; `()` first
/// on an optional route).
fn add_openapi_security(kind: Kind, args: &Args, func: &mut ItemFn) {
    for attr in &mut func.attrs {
        let segments: Vec<String> = attr
            .path()
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect();
        if segments.len() != 2 || segments[0] != "utoipa" || segments[1] != "path" {
            continue;
        }
        let syn::Meta::List(list) = &mut attr.meta else {
            continue;
        };
        let has_security = list
            .tokens
            .clone()
            .into_iter()
            .any(|tree| matches!(&tree, proc_macro2::TokenTree::Ident(id) if id == "security"));
        if has_security {
            continue;
        }
        let requirements = security_requirements(kind, args);
        if requirements.is_empty() {
            // Only locations without a scheme (query string, JSON body).
            continue;
        }
        let tokens = &list.tokens;
        let separator = match tokens.clone().into_iter().last() {
            None => quote!(),
            Some(proc_macro2::TokenTree::Punct(p)) if p.as_char() == ',' => quote!(),
            Some(_) => quote!(,),
        };
        list.tokens = quote!(#tokens #separator security(#(#requirements),*));
    }
}

/// The alternatives of the security requirement, in utoipa's syntax.
fn security_requirements(kind: Kind, args: &Args) -> Vec<TokenStream> {
    let schemes: Vec<&str> = match &args.locations {
        Some((locations, _)) => locations
            .iter()
            .filter_map(|l| match l.to_string().as_str() {
                "headers" => Some("bearer_jwt"),
                "cookies" => Some("cookie_jwt"),
                _ => None,
            })
            .collect(),
        None => vec!["bearer_jwt"],
    };
    // Each alternative: the names one token must hold.
    let options = |grants: &Option<args::Grants>| -> Vec<Vec<String>> {
        match grants {
            None => vec![Vec::new()],
            Some(g) if g.any => g.names.iter().map(|n| vec![n.value()]).collect(),
            Some(g) => vec![g.names.iter().map(LitStr::value).collect()],
        }
    };
    let mut alternatives = Vec::new();
    if kind == Kind::Optional || args.optional() {
        alternatives.push(quote!(()));
    }
    for scheme in schemes {
        for roles in options(&args.roles) {
            for scopes in options(&args.scopes) {
                let names = roles.iter().chain(&scopes);
                alternatives.push(quote!((#scheme = [#(#names),*])));
            }
        }
    }
    alternatives
}

/// For `roles(...)`/`scopes(...)`: a hidden type beside the handler that
/// holds them as `Authorization` constants, and the rule that checks them.
fn authorization(
    args: &Args,
    private: &TokenStream,
    func: &ItemFn,
) -> (TokenStream, Option<TokenStream>) {
    if args.roles.is_none() && args.scopes.is_none() {
        return (TokenStream::new(), None);
    }
    let need = |grants: &Option<args::Grants>| match grants {
        None => quote!(::core::option::Option::None),
        Some(g) => {
            let names = &g.names;
            let mode = if g.any { quote!(Any) } else { quote!(All) };
            quote!(::core::option::Option::Some(#private::Need::#mode(&[#(#names),*])))
        }
    };
    let (roles, scopes) = (need(&args.roles), need(&args.scopes));
    let vis = &func.vis;
    let name = Ident::new(
        &format!("__JwtAuthorization_{}", func.sig.ident),
        func.sig.ident.span(),
    );
    let item = quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types)]
        #vis struct #name;
        impl #private::Authorization for #name {
            const ROLES: ::core::option::Option<#private::Need> = #roles;
            const SCOPES: ::core::option::Option<#private::Need> = #scopes;
        }
    };
    (item, Some(quote!(#private::Authorize<#name>)))
}

fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// The guard parameter: `VerifyJwt` with the route's requirements, its rule
/// (the `token_type` check first) and where the manager comes from.
fn guard_arg(
    args: &Args,
    authorize: Option<TokenStream>,
    private: &TokenStream,
    requirements: &TokenStream,
    guard: &Ident,
) -> FnArg {
    let of_type = args
        .token_type
        .as_ref()
        .map(|(ty, _)| quote_spanned!(ty.span()=> #private::OfType<#ty>));
    // In order: the token type, the roles and scopes, the app's own rule.
    let rule = [of_type, authorize, args.rule.as_ref().map(|r| quote!(#r))]
        .into_iter()
        .flatten()
        .reduce(|first, then| quote!((#first, #then)));
    let source = args
        .manager_from_state()
        .then(|| quote!(#private::FromState));
    match (rule, source) {
        (Some(rule), Some(source)) => syn::parse_quote! {
            #guard: #private::VerifyJwt<{ #requirements }, #rule, #source>
        },
        (None, Some(source)) => syn::parse_quote! {
            #guard: #private::VerifyJwt<{ #requirements }, #private::AnyClaims, #source>
        },
        (Some(rule), None) => syn::parse_quote! {
            #guard: #private::VerifyJwt<{ #requirements }, #rule>
        },
        (None, None) => syn::parse_quote! {
            #guard: #private::VerifyJwt<{ #requirements }>
        },
    }
}
