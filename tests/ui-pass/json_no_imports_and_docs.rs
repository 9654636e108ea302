//! `#[derive(Json)]` works with nothing imported and documents what it generates.
#![deny(missing_docs)]

/// Documented settings.
#[derive(::serde::Serialize, ::serde::Deserialize, ::d1orm::Json)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// A flag.
    pub email_alerts: bool,
    /// A list.
    pub tags: ::std::vec::Vec<::std::string::String>,
    /// A theme.
    pub theme: ::std::option::Option<Theme>,
}

/// A documented theme.
#[derive(::serde::Serialize, ::serde::Deserialize, ::d1orm::Json)]
pub enum Theme {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// A documented table.
#[derive(::d1orm::Table)]
pub struct Account {
    /// Key.
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    /// Settings.
    #[d1orm(json)]
    pub settings: Settings,
}

fn main() {
    let account = <Account as ::d1orm::Table>::columns();
    let _ = account.settings.path().email_alerts.eq(true);
    let _ = account.settings.path().tags.at(0).eq("a");
    let _ = account.settings.path().theme.eq(Theme::Dark);
}
