//! Code generation: the handler keeps its signature, gains a hidden guard
//! extractor as first argument, and runs its body in the token's task-local
//! scope.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, ReturnType, Type};

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
                _ => "Json",
            };
            let variant = Ident::new(variant, l.span());
            quote!(#private::Location::#variant)
        });
        bits.push(quote!(#private::req::locations(&[#(#variants),*])));
    }
    let requirements = if bits.is_empty() {
        quote!(0)
    } else {
        quote!(#(#bits)|*)
    };

    let guard = Ident::new("__jwt_guard", Span::mixed_site());
    let body_future = Ident::new("__jwt_body", Span::mixed_site());
    let result = Ident::new("__jwt_result", Span::mixed_site());

    let guard_arg = guard_arg(args, &private, &requirements, &guard);
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
    quote! { #func }
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
    private: &TokenStream,
    requirements: &TokenStream,
    guard: &Ident,
) -> FnArg {
    let of_type = args
        .token_type
        .as_ref()
        .map(|(ty, _)| quote_spanned!(ty.span()=> #private::OfType<#ty>));
    let rule = match (of_type, &args.rule) {
        (Some(of_type), Some(rule)) => Some(quote!((#of_type, #rule))),
        (Some(of_type), None) => Some(of_type),
        (None, Some(rule)) => Some(quote!(#rule)),
        (None, None) => None,
    };
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
