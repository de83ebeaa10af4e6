//! The few floating-point functions the chart needs (logarithms for axis steps and colour
//! ramps, powers, the wheel's zoom factor). In the browser they come from JavaScript's
//! `Math`: Rust's own (libm, compiled into the `.wasm`) bring code and tables of constants
//! (exp2's alone is 4 KB) that every page embedding the viewer would download. Native builds
//! (the unit tests) use the standard library's. Both are correctly rounded or within an ulp,
//! which is all a tick step or a colour step needs.

#[cfg(target_family = "wasm")]
mod imp {
    use js_sys::Math;

    pub fn ln(x: f64) -> f64 {
        Math::log(x)
    }
    pub fn log2(x: f64) -> f64 {
        Math::log2(x)
    }
    pub fn log10(x: f64) -> f64 {
        Math::log10(x)
    }
    pub fn exp(x: f64) -> f64 {
        Math::exp(x)
    }
    pub fn pow(base: f64, exponent: f64) -> f64 {
        Math::pow(base, exponent)
    }
}

#[cfg(not(target_family = "wasm"))]
mod imp {
    pub fn ln(x: f64) -> f64 {
        x.ln()
    }
    pub fn log2(x: f64) -> f64 {
        x.log2()
    }
    pub fn log10(x: f64) -> f64 {
        x.log10()
    }
    pub fn exp(x: f64) -> f64 {
        x.exp()
    }
    pub fn pow(base: f64, exponent: f64) -> f64 {
        base.powf(exponent)
    }
}

pub use imp::{exp, ln, log10, log2, pow};
