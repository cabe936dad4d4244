package jobs

import "net/netip"

// Webhook targets must be public unicast addresses. Every dial checks the
// address it is about to connect to (after DNS, so a name that resolves,
// or later re-resolves, to an internal address is caught), against the
// special-purpose registries of IANA (RFC 6890 and its updates).

// nonPublic are the prefixes a webhook may not reach, besides what
// netip.Addr itself classifies as loopback, private, link-local,
// multicast or unspecified.
var nonPublic = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		// IPv4
		"0.0.0.0/8",          // "this network"
		"100.64.0.0/10",      // shared address space (CGNAT), RFC 6598; Alibaba's metadata service
		"192.0.0.0/24",       // IETF protocol assignments (incl. DS-Lite, NAT64 discovery)
		"192.0.2.0/24",       // documentation TEST-NET-1, RFC 5737
		"192.31.196.0/24",    // AS112-v4
		"192.52.193.0/24",    // AMT
		"192.88.99.0/24",     // 6to4 relay anycast (deprecated)
		"192.175.48.0/24",    // direct delegation AS112
		"198.18.0.0/15",      // benchmarking, RFC 2544
		"198.51.100.0/24",    // documentation TEST-NET-2
		"203.0.113.0/24",     // documentation TEST-NET-3
		"240.0.0.0/4",        // reserved
		"255.255.255.255/32", // limited broadcast
		// IPv6
		"::/96",           // IPv4-compatible (deprecated) and unspecified
		"::ffff:0:0:0/96", // IPv4-translated, RFC 2765
		"64:ff9b::/96",    // NAT64, RFC 6052: reaches IPv4 behind the translator
		"64:ff9b:1::/48",  // local-use NAT64, RFC 8215
		"100::/64",        // discard-only, RFC 6666
		"2001::/23",       // IETF protocol assignments (incl. Teredo 2001::/32)
		"2001:db8::/32",   // documentation, RFC 3849
		"2002::/16",       // 6to4: embeds an IPv4 address
		"3fff::/20",       // documentation, RFC 9637
		"5f00::/16",       // segment routing SIDs, RFC 9602
		"fc00::/7",        // unique local
		"fe80::/10",       // link-local
		"fec0::/10",       // site-local (deprecated)
		"ff00::/8",        // multicast
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// publicAddr reports whether a webhook may connect to a: a public unicast
// address in no special-purpose range.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || !a.IsGlobalUnicast() || a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}
