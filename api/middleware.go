package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Keys of values kept on the gin.Context.
const (
	ctxRequestID = "vw.request_id"
	ctxLogger    = "vw.logger"
	ctxActor     = "vw.actor"
)

var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestID takes a sane X-Request-ID from the client or makes one, echoes
// it, and puts it on the logger and the request context.
func requestID(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if !requestIDPattern.MatchString(id) {
			id = domain.NewID()
		}
		c.Header("X-Request-ID", id)
		c.Set(ctxRequestID, id)
		c.Set(ctxLogger, base) // logFrom adds the request id when something is logged
		c.Request = c.Request.WithContext(domain.WithRequestID(c.Request.Context(), id))
		c.Next()
	}
}

// securityHeaders sets headers that keep browsers from misusing JSON
// responses.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	c.Next()
}

// accessLog writes one JSON line per request. It never logs headers or
// bodies, so keys and personal data stay out of the logs.
func accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	base, _ := c.Get(ctxLogger)
	if l, ok := base.(*slog.Logger); ok && !l.Enabled(c.Request.Context(), level) {
		return // below the log level: build nothing
	}
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	attrs := []any{
		"method", c.Request.Method, "route", route, "status", c.Writer.Status(),
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000, "bytes", c.Writer.Size(),
	}
	if a, ok := c.Get(ctxActor); ok {
		attrs = append(attrs, "actor_id", a.(domain.Actor).ID)
	}
	logFrom(c).Log(c.Request.Context(), level, "request", attrs...)
}

// recovery turns a panic into a 500 problem and logs the stack.
func recovery(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler {
				panic(r)
			}
			logFrom(c).Error("panic", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			if !c.Writer.Written() {
				writeError(c, fmt.Errorf("panic: %v", r))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// httpMetrics records request counts and latency per route template.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// series caches the children of requests and duration per metricKey,
	// sparing the label hashing of WithLabelValues on every request.
	series sync.Map // metricKey -> metricSeries
}

type metricKey struct {
	method, route string
	status        int
}

type metricSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vendorwatch_http_requests_total", Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "vendorwatch_http_request_duration_seconds", Help: "HTTP request latency by method and route template.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"method", "route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

func (m *httpMetrics) handle(c *gin.Context) {
	start := time.Now()
	c.Next()
	series := m.seriesFor(c.Request.Method, c.FullPath(), c.Writer.Status())
	series.requests.Inc()
	series.duration.Observe(time.Since(start).Seconds())
}

// seriesFor returns the metric children of a request. Matched routes are
// cached: their methods, templates and statuses are bounded sets. An
// unmatched request's method can be any token, so it is never cached.
func (m *httpMetrics) seriesFor(method, route string, status int) metricSeries {
	if route == "" {
		return m.newSeries(method, "unmatched", status)
	}
	k := metricKey{method: method, route: route, status: status}
	if s, ok := m.series.Load(k); ok {
		return s.(metricSeries)
	}
	s, _ := m.series.LoadOrStore(k, m.newSeries(method, route, status))
	return s.(metricSeries)
}

func (m *httpMetrics) newSeries(method, route string, status int) metricSeries {
	return metricSeries{
		requests: m.requests.WithLabelValues(method, route, strconv.Itoa(status)),
		duration: m.duration.WithLabelValues(method, route),
	}
}

// authorize authenticates the bearer key and admits only the given roles.
// An address that failed to authenticate too often is throttled before
// its key costs a database lookup (authThrottle).
func (h *handlers) authorize(roles []domain.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		scheme, key, ok := strings.Cut(c.GetHeader("Authorization"), " ")
		key = strings.TrimSpace(key)
		addr := c.ClientIP()
		if blocked, wait := h.authFails.blocked(addr); blocked {
			actor, known := h.keys.AuthenticateCached(key)
			if !known {
				tooManyRequests(c, wait, "Too many failed authentications from this address; retry after the number of seconds in Retry-After.")
				return
			}
			h.admit(c, actor, roles)
			return
		}
		if !ok || !strings.EqualFold(scheme, "Bearer") || key == "" {
			h.authFails.failed(addr)
			writeError(c, domain.ErrUnauthenticated)
			return
		}
		actor, err := h.keys.Authenticate(c.Request.Context(), key)
		if errors.Is(err, domain.ErrUnauthenticated) {
			h.authFails.failed(addr)
		}
		if err != nil {
			writeError(c, err)
			return
		}
		h.admit(c, actor, roles)
	}
}

// admit lets an authenticated actor through if its role is one of roles
// and its key is within its rate.
func (h *handlers) admit(c *gin.Context, actor domain.Actor, roles []domain.Role) {
	c.Set(ctxActor, actor)
	c.Request = c.Request.WithContext(domain.WithActor(c.Request.Context(), actor))
	if h.limiter != nil && !h.limiter.limit(c, actor.ID) {
		return
	}
	if !slices.Contains(roles, actor.Role) {
		writeError(c, domain.ErrForbidden)
		return
	}
	c.Next()
}

// jsonRender writes JSON with encodeJSON.
type jsonRender struct{ v any }

func (r jsonRender) Render(w http.ResponseWriter) error {
	r.WriteContentType(w)
	return encodeJSON(w, r.v)
}

func (r jsonRender) WriteContentType(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
}

func writeJSON(c *gin.Context, status int, v any) {
	c.Render(status, jsonRender{v})
}
