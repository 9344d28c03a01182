//! Who Euterpe believes about the request's origin: which proxies may say, through
//! `X-Forwarded-For` and `X-Forwarded-Proto`, who the client is and how it connected
//! (`TRUSTED_PROXIES`), and which origin absolute URLs and the HTTPS redirect use.

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use reqwest::Url;

use super::{Config, ConfigError, Environment};

/// Trusted without configuration: a reverse proxy on this machine.
pub const LOOPBACK: &[&str] = &["127.0.0.0/8", "::1/128"];

/// Also trusted by default on Heroku (`DYNO` set): the private ranges its router connects to a
/// dyno from. Heroku doesn't publish the router's addresses; they are private (RFC 1918, and
/// the shared 100.64.0.0/10 space some of its networks use). A dyno is reachable only through
/// the router, so no one else can connect from these addresses.
pub const HEROKU_ROUTER: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
];

/// The networks whose connections may set `X-Forwarded-For` and `X-Forwarded-Proto`.
#[derive(Clone, PartialEq, Eq)]
pub struct TrustedProxies {
    nets: Vec<IpNet>,
}

impl TrustedProxies {
    /// `TRUSTED_PROXIES` (comma-separated CIDRs or addresses, or `none`), else the default:
    /// loopback, and on Heroku also [`HEROKU_ROUTER`].
    pub fn from_var(value: Option<&str>, on_heroku: bool) -> Result<Self, ConfigError> {
        let Some(value) = value else {
            let defaults = LOOPBACK
                .iter()
                .chain(if on_heroku { HEROKU_ROUTER } else { &[] });
            return Ok(Self {
                nets: defaults
                    .map(|net| net.parse().expect("the built-in ranges parse"))
                    .collect(),
            });
        };
        if value.eq_ignore_ascii_case("none") {
            return Ok(Self { nets: Vec::new() });
        }
        let nets = value
            .split(',')
            .map(str::trim)
            .filter(|part| !part.is_empty())
            .map(|part| {
                part.parse::<IpNet>()
                    .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        ConfigError(format!(
                            "TRUSTED_PROXIES holds {part:?}, which is not an address or a CIDR \
                             range: use e.g. 127.0.0.1/32,10.0.0.0/8 (or `none`)"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { nets })
    }

    /// Whether a connection from `ip` comes from a trusted proxy (an IPv4 address written as
    /// IPv6, `::ffff:a.b.c.d`, counts as the IPv4 one).
    pub fn trusts(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        self.nets.iter().any(|net| net.contains(&ip))
    }
}

impl fmt::Debug for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TrustedProxies({self})")
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nets.is_empty() {
            return f.write_str("none");
        }
        let nets: Vec<String> = self.nets.iter().map(IpNet::to_string).collect();
        f.write_str(&nets.join(", "))
    }
}

/// Where absolute URLs (share links, the HTTPS redirect, the demo's login round trip) take the
/// site's origin from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SiteOrigin {
    /// `PUBLIC_URL`.
    PublicUrl(Url),
    /// Production without `PUBLIC_URL`: the origin of `SPOTIFY_REDIRECT_URI`, where Spotify
    /// sends the browser back to, so the site's address by definition.
    RedirectUri(Url),
    /// Neither (locally, or a demo review app whose host name is new each time): the request's
    /// `Host`, and the scheme a trusted proxy reports.
    RequestHost,
}

impl SiteOrigin {
    /// The configured origin, `None` when the request's `Host` decides.
    pub fn url(&self) -> Option<&Url> {
        match self {
            Self::PublicUrl(url) | Self::RedirectUri(url) => Some(url),
            Self::RequestHost => None,
        }
    }

    /// For the start-up log: where the origin comes from.
    pub fn describe(&self) -> String {
        match self {
            Self::PublicUrl(url) => format!("PUBLIC_URL ({})", origin_text(url)),
            Self::RedirectUri(url) => {
                format!("the origin of SPOTIFY_REDIRECT_URI ({})", origin_text(url))
            }
            Self::RequestHost => {
                "each request's Host header (neither PUBLIC_URL nor SPOTIFY_REDIRECT_URI is set)"
                    .to_owned()
            }
        }
    }
}

fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

impl Config {
    /// Where absolute URLs take the origin from: `PUBLIC_URL`; in production, else the origin of
    /// the Spotify redirect URI; else the request's `Host`. Locally a redirect URI on loopback
    /// says nothing about how a browser on the network reached the site, so `Host` decides.
    pub fn site_origin(&self) -> SiteOrigin {
        if let Some(public) = &self.public_url {
            return SiteOrigin::PublicUrl(public.clone());
        }
        match (&self.spotify, self.environment) {
            (Some(spotify), Environment::Production) => {
                let mut origin = spotify.redirect_uri.clone();
                origin.set_path("/");
                origin.set_query(None);
                origin.set_fragment(None);
                SiteOrigin::RedirectUri(origin)
            }
            _ => SiteOrigin::RequestHost,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn loopback_by_default_and_the_private_ranges_on_heroku() {
        let local = TrustedProxies::from_var(None, false).unwrap();
        assert!(local.trusts(ip("127.0.0.1")) && local.trusts(ip("::1")));
        assert!(local.trusts(ip("::ffff:127.0.0.1")));
        assert!(!local.trusts(ip("10.1.2.3")) && !local.trusts(ip("203.0.113.9")));

        let heroku = TrustedProxies::from_var(None, true).unwrap();
        for router in [
            "10.1.2.3",
            "172.17.0.4",
            "192.168.1.1",
            "100.64.0.9",
            "127.0.0.1",
        ] {
            assert!(heroku.trusts(ip(router)), "{router}");
        }
        assert!(!heroku.trusts(ip("203.0.113.9")) && !heroku.trusts(ip("172.32.0.1")));
    }

    #[test]
    fn the_variable_replaces_the_defaults() {
        let set = TrustedProxies::from_var(Some("192.0.2.0/24, 2001:db8::1"), true).unwrap();
        assert!(set.trusts(ip("192.0.2.77")) && set.trusts(ip("2001:db8::1")));
        assert!(!set.trusts(ip("127.0.0.1")) && !set.trusts(ip("10.0.0.1")));
        assert_eq!(set.to_string(), "192.0.2.0/24, 2001:db8::1/128");
        let none = TrustedProxies::from_var(Some("none"), true).unwrap();
        assert!(!none.trusts(ip("127.0.0.1")));
        let err = TrustedProxies::from_var(Some("10.0.0.0/8,proxy.local"), false).unwrap_err();
        assert!(
            err.0.starts_with("TRUSTED_PROXIES holds \"proxy.local\""),
            "{err}"
        );
    }

    fn config(pairs: &[(&str, &str)]) -> Config {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_vars(&vars).unwrap()
    }

    #[test]
    fn production_takes_the_origin_from_public_url_then_the_redirect_uri() {
        let key = crate::crypto::generate_key();
        let app = [
            ("SPOTIFY_CLIENT_ID", "id"),
            ("SPOTIFY_CLIENT_SECRET", "secret"),
            ("TOKEN_ENCRYPTION_KEY", key.as_str()),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut pairs = app.to_vec();
            pairs.extend_from_slice(extra);
            config(&pairs).site_origin()
        };
        let public = with(&[
            ("EUTERPE_ENV", "production"),
            ("PUBLIC_URL", "https://euterpe.example.com"),
            ("SPOTIFY_REDIRECT_URI", "https://other.example.com/callback"),
        ]);
        assert_eq!(
            public.url().unwrap().as_str(),
            "https://euterpe.example.com/"
        );
        let redirect = with(&[
            ("DYNO", "web.1"),
            (
                "SPOTIFY_REDIRECT_URI",
                "https://euterpe.example.com:8443/callback?x=1",
            ),
        ]);
        assert!(matches!(redirect, SiteOrigin::RedirectUri(_)));
        assert_eq!(
            redirect.url().unwrap().as_str(),
            "https://euterpe.example.com:8443/"
        );
        // Locally, and in a production demo without PUBLIC_URL, the request's Host decides.
        assert_eq!(with(&[]), SiteOrigin::RequestHost);
        let demo = config(&[("DYNO", "web.1"), ("TOKEN_ENCRYPTION_KEY", key.as_str())]);
        assert_eq!(demo.site_origin(), SiteOrigin::RequestHost);
        assert!(demo.site_origin().describe().contains("Host"));
    }
}
