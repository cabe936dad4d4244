package api

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"
)

// keyLimiter gives each API key its own token bucket. Buckets live in
// this process: with N replicas a key may make up to N times the rate.
type keyLimiter struct {
	mu      sync.Mutex
	rate    rate.Limit
	burst   int
	buckets map[string]*bucket
	calls   int
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

// idleBucket is how long an unused bucket is kept.
const idleBucket = 10 * time.Minute

func newKeyLimiter(perSecond float64, burst int) *keyLimiter {
	if burst < 1 {
		burst = int(math.Max(1, math.Ceil(perSecond)))
	}
	return &keyLimiter{rate: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}
}

// reserve takes a token for key, or says how long until one is free.
func (l *keyLimiter) reserve(key string, now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	if l.calls++; l.calls%4096 == 0 {
		for k, other := range l.buckets {
			if now.Sub(other.seen) > idleBucket {
				delete(l.buckets, k)
			}
		}
	}
	r := b.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// spent reports whether key's bucket is empty at now, and how long until
// it holds a token again; it takes nothing.
func (l *keyLimiter) spent(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, found := l.buckets[key]
	if !found {
		return false, 0
	}
	tokens := b.lim.TokensAt(now)
	if tokens >= 1 {
		return false, 0
	}
	return true, time.Duration((1 - tokens) / float64(l.rate) * float64(time.Second))
}

// limit answers 429 with Retry-After when the caller's key is over its
// rate. It runs after authentication.
func (l *keyLimiter) limit(c *gin.Context, key string) bool {
	ok, wait := l.reserve(key, time.Now())
	if ok {
		return true
	}
	tooManyRequests(c, wait, "Too many requests for this API key; retry after the number of seconds in Retry-After.")
	return false
}

// tooManyRequests answers 429 with Retry-After (whole seconds, at least 1).
func tooManyRequests(c *gin.Context, wait time.Duration, detail string) {
	c.Header("Retry-After", retryAfter(wait))
	writeError(c, &statusError{Status: http.StatusTooManyRequests, Detail: detail})
}

// retrySeconds is a wait in whole seconds, at least 1.
func retrySeconds(wait time.Duration) int { return max(1, int(math.Ceil(wait.Seconds()))) }

// retryAfter is a wait as a Retry-After value.
func retryAfter(wait time.Duration) string { return strconv.Itoa(retrySeconds(wait)) }

// authThrottle limits failed authentications per client address: each
// request answered 401 takes a token from its address's bucket. While the
// bucket is empty, a request from that address is refused with 429 before
// its key is looked up in the database, unless the key was verified
// within KeyCacheTTL (which costs no lookup). Buckets live in this
// process, as the per-key ones do.
type authThrottle struct{ buckets *keyLimiter }

// blocked reports whether the address is out of failed attempts, and how
// long until it has one again.
func (t *authThrottle) blocked(addr string) (bool, time.Duration) {
	if t == nil {
		return false, 0
	}
	return t.buckets.spent(addr, time.Now())
}

// failed counts a failed authentication from addr.
func (t *authThrottle) failed(addr string) {
	if t != nil {
		t.buckets.reserve(addr, time.Now())
	}
}
