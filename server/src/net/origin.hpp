// Which web pages may open a signaling connection (WebSocket upgrade, SockJS requests).
// Browsers send `Origin` on both; a page from another site must not be able to join rooms
// with its visitors' cameras behind their backs. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace parley::net {

// Requests without Origin (non-browser clients) always pass. `allowed`: exact origins
// ("https://meet.example.org"), or "*" for any. Empty: the default policy — same origin as
// `host` (the request's Host header), and any port of localhost / 127.0.0.1 / [::1]
// (development servers such as the seed's).
bool origin_allowed(const std::vector<std::string>& allowed, std::string_view origin,
                    std::string_view host);

}  // namespace parley::net
