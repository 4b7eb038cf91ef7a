package devserver

import (
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"slices"
	"strings"
)

// A hostPolicy decides which Host and Origin headers the server answers,
// so that a web page on another site cannot reach it through DNS
// rebinding. See the package doc.
type hostPolicy struct {
	any   bool         // bound to all interfaces: any IP literal is accepted too
	port  string       // the bound port
	names []string     // accepted host names, lower case
	ips   []netip.Addr // accepted addresses, unmapped
}

// CheckHost returns an error unless name is a host name (letters, digits,
// hyphens and dots) or an IP address, as Options.AllowHost takes: no
// pattern, since names become coder/websocket's Origin patterns.
func CheckHost(name string) error {
	if _, ok := allowedIP(name); ok {
		return nil
	}
	if name == "" || len(name) > 253 || strings.ContainsFunc(name, func(c rune) bool {
		return !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.')
	}) {
		return fmt.Errorf("%q is not a host name or an IP address", name)
	}
	return nil
}

// allowedIP reads name, a name of Options.AllowHost, as an IP address,
// with or without brackets.
func allowedIP(name string) (netip.Addr, bool) {
	ip, err := netip.ParseAddr(strings.Trim(name, "[]"))
	return ip, err == nil
}

// newHostPolicy returns the policy for a listener bound to addr, which
// also answers to the host names in allow; a name that CheckHost refuses
// is left out. An addr that is not host:port accepts nothing.
func newHostPolicy(addr string, allow []string) hostPolicy {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return hostPolicy{}
	}
	p := hostPolicy{
		port:  port,
		names: []string{"localhost"},
		ips:   []netip.Addr{netip.AddrFrom4([4]byte{127, 0, 0, 1}), netip.IPv6Loopback()},
	}
	for _, name := range allow {
		if ip, ok := allowedIP(name); ok {
			p.ips = append(p.ips, ip.Unmap().WithZone(""))
		} else if CheckHost(name) == nil {
			p.names = append(p.names, strings.ToLower(name))
		}
	}
	if host == "" {
		p.any = true
	} else if ip, err := netip.ParseAddr(host); err == nil {
		p.any = ip.IsUnspecified()
		p.ips = append(p.ips, ip.Unmap().WithZone(""))
	} else {
		p.names = append(p.names, strings.ToLower(host))
	}
	return p
}

// allowHost reports whether a request with this Host header is answered:
// the bound port, and a host that is an accepted name or address, a
// name under .localhost (which browsers resolve to this machine
// themselves), or, bound to all interfaces, any IP literal (a rebinding
// attack needs a name).
func (p hostPolicy) allowHost(hostport string) bool {
	if p.port == "" || hostport == "" {
		return false
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		// No port: the default port of http.
		host, port = hostport, "80"
		if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
			host = host[1 : len(host)-1]
		}
	}
	if port != p.port {
		return false
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap().WithZone("")
		return p.any || slices.Contains(p.ips, ip)
	}
	host = strings.ToLower(host)
	return slices.Contains(p.names, host) || strings.HasSuffix(host, ".localhost")
}

// originPatterns returns the Origin hosts that coder/websocket's own
// check is to accept besides the request's Host, as path.Match patterns:
// those allowOrigin accepts. Bound to all interfaces, it accepts only
// the request's Host, which needs no pattern.
func (p hostPolicy) originPatterns() []string {
	if p.any || p.port == "" {
		return nil
	}
	// Names under .localhost pass as the request's own Host.
	hosts := slices.Clone(p.names)
	for _, ip := range p.ips {
		if ip.Is6() {
			hosts = append(hosts, `\[`+ip.String()+`\]`) // brackets are literal, not a class
		} else {
			hosts = append(hosts, ip.String())
		}
	}
	var patterns []string
	for _, h := range hosts {
		patterns = append(patterns, h+":"+p.port)
		if p.port == "80" { // an Origin may leave out the default port
			patterns = append(patterns, h)
		}
	}
	return patterns
}

// allowOrigin reports whether a reload socket may be opened by a page
// from origin, for a request with the Host header reqHost. An absent
// Origin is a client that is not a browser, which DNS rebinding cannot
// involve.
func (p hostPolicy) allowOrigin(origins []string, reqHost string) bool {
	switch len(origins) {
	case 0:
		return true
	case 1:
	default:
		return false
	}
	u, err := url.Parse(origins[0])
	if err != nil || u.Scheme != "http" || u.Host == "" || u.User != nil || u.Opaque != "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(origins[0], "?") {
		return false
	}
	// Bound to all interfaces, the page must come from the host asked.
	return (!p.any || strings.EqualFold(u.Host, reqHost)) && p.allowHost(u.Host)
}
