package jobs

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// Webhook targets must be public unicast: the documentation, reserved,
// NAT64 and other special-purpose ranges are refused besides loopback,
// private, link-local, CGNAT and metadata addresses.
func TestPublicAddr(t *testing.T) {
	for _, tc := range []struct {
		addr   string
		public bool
	}{
		{"8.8.8.8", true}, {"1.1.1.1", true}, {"93.184.215.14", true}, {"2606:4700:4700::1111", true},
		{"2a00:1450:4009:81e::200e", true},

		{"192.0.2.1", false}, {"198.51.100.7", false}, {"203.0.113.9", false}, {"2001:db8::1", false},
		{"3fff::1", false},
		{"64:ff9b::c000:201", false}, {"64:ff9b::808:808", false}, {"64:ff9b:1::1", false},
		{"127.0.0.1", false}, {"::1", false}, {"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false},
		{"fd00:ec2::254", false}, {"169.254.169.254", false}, {"fe80::1", false}, {"100.100.100.200", false},
		{"100.64.0.1", false}, {"::ffff:127.0.0.1", false}, {"::ffff:192.0.2.1", false}, {"::127.0.0.1", false},
		{"::ffff:0:7f00:1", false}, {"2002:7f00:1::1", false}, {"2001::1", false}, {"198.18.0.1", false},
		{"192.0.0.170", false}, {"240.0.0.1", false}, {"255.255.255.255", false}, {"0.0.0.0", false},
		{"224.0.0.1", false}, {"ff02::1", false}, {"::", false}, {"100::1", false},
	} {
		if got := publicAddr(netip.MustParseAddr(tc.addr)); got != tc.public {
			t.Errorf("publicAddr(%s) = %v, want %v", tc.addr, got, tc.public)
		}
	}
}

// The check runs on every dial, with the address about to be connected
// to: a name resolving to loopback is refused as a literal is, and a
// NAT64 or documentation address is refused before any packet is sent.
func TestWebhookClientChecksEveryDial(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]
	client := newWebhookClient(2*time.Second, false)
	for _, url := range []string{
		"http://localhost" + port + "/hook",
		srv.URL + "/hook",
		"http://[64:ff9b::7f00:1]" + port + "/hook",
		"http://192.0.2.1" + port + "/hook",
		"http://[2001:db8::1]" + port + "/hook",
	} {
		res, err := client.Post(url, "application/json", strings.NewReader("{}"))
		if err == nil {
			_ = res.Body.Close()
		}
		if !errors.Is(err, ErrBlockedAddress) {
			t.Errorf("POST %s: %v, want ErrBlockedAddress", url, err)
		}
	}
	if hit {
		t.Error("the loopback receiver was reached")
	}
	// With private targets allowed (tests, trusted networks) it connects.
	res, err := newWebhookClient(2*time.Second, true).Post("http://localhost"+port+"/hook", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	_ = res.Body.Close()
	if !hit {
		t.Error("allowed, the receiver was not reached")
	}
}
