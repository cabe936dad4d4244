package api

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// counterValue reads a counter's value.
func counterValue(t *testing.T, c prometheus.Counter) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestMetricSeriesCached(t *testing.T) {
	m := newHTTPMetrics(prometheus.NewRegistry())
	for range 3 {
		m.seriesFor("GET", "/api/v1/vendors", 200).requests.Inc()
	}
	m.seriesFor("GET", "/api/v1/vendors", 404).requests.Inc()
	m.seriesFor("BREW", "", 404).requests.Inc()
	if n := counterValue(t, m.requests.WithLabelValues("GET", "/api/v1/vendors", "200")); n != 3 {
		t.Errorf("GET vendors 200 counted %v times, want 3", n)
	}
	if n := counterValue(t, m.requests.WithLabelValues("BREW", "unmatched", "404")); n != 1 {
		t.Errorf("unmatched counted %v times, want 1", n)
	}
	cached := 0
	m.series.Range(func(k, _ any) bool {
		cached++
		if k.(metricKey).route == "" {
			t.Error("an unmatched request was cached")
		}
		return true
	})
	if cached != 2 {
		t.Errorf("%d cached series, want 2", cached)
	}
}
