package jobs

import (
	"testing"
	"time"
)

func TestSlotOf(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		spec      string
		seconds   bool
		now, want string
	}{
		{"0 * * * *", false, "2026-11-23T13:00:00.004Z", "2026-11-23T13:00:00Z"},
		{"0 * * * *", false, "2026-11-23T13:00:40Z", "2026-11-23T13:00:00Z"},
		{"15 2 * * *", false, "2026-11-23T02:15:00.2Z", "2026-11-23T02:15:00Z"},
		{"*/5 * * * *", false, "2026-11-23T02:10:00.9Z", "2026-11-23T02:10:00Z"},
		{"* * * * * *", true, "2026-11-23T02:10:07.010Z", "2026-11-23T02:10:07Z"},
		// Fired far from any activation: the instant, to the second.
		{"0 * * * *", false, "2026-11-23T13:30:10.5Z", "2026-11-23T13:30:10Z"},
	} {
		p := standardParser
		if tc.seconds {
			p = secondsParser
		}
		sched, err := parseSpec(p, tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := slotOf(sched, at(tc.now)); !got.Equal(at(tc.want)) {
			t.Errorf("slotOf(%q, %s) = %s, want %s", tc.spec, tc.now, got, tc.want)
		}
	}
}

func TestValidateSpec(t *testing.T) {
	for spec, ok := range map[string]bool{
		"0 * * * *": true, "15 2 * * *": true, "@hourly": true, "@every 10m": true,
		"61 * * * *": false, "* * * *": false, "": false, "CRON_TZ=UTC 0 * * * *": false, "TZ=UTC 0 * * * *": false,
		"0 0 * * * *": false, // seconds are for tests only
	} {
		if err := ValidateSpec(spec); (err == nil) != ok {
			t.Errorf("ValidateSpec(%q) = %v, want ok=%v", spec, err, ok)
		}
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute, 10 * time.Minute}
	for i, w := range want {
		if got := Backoff(time.Minute, 10*time.Minute, i+1); got != w {
			t.Errorf("Backoff(attempt %d) = %s, want %s", i+1, got, w)
		}
	}
}
