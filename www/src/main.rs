//! The bufpack web app (Yew, client-side rendering): drop a buffer CSV, solve it in a Web
//! Worker through the npm package, explore the layout. See ARCHITECTURE.md ("www/").

mod app;
mod bridge;
mod chart;
mod controls;
mod examples;
mod export;
mod files;
mod layout;
mod model;
mod options;
mod prepare;
mod results;
mod slices;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
