package access

import (
	"sync"
	"time"
)

// KeyCacheTTL is how long a verified API key is trusted without reading
// the database again. Revoking a key through this process takes effect at
// once; another replica sees the revocation within this time.
const KeyCacheTTL = 10 * time.Second

// keyCache keeps recently read API keys by prefix, and when each key's
// last use was last written, so authentication needs no database round
// trip on most requests.
type keyCache struct {
	mu      sync.Mutex
	keys    map[string]cachedKey // by prefix
	touched map[string]time.Time // by key id: when last_used_at was last written
}

type cachedKey struct {
	key APIKey
	at  time.Time
}

// maxCachedKeys bounds the cache; past it, the cache starts afresh.
const maxCachedKeys = 10000

func (c *keyCache) get(prefix string, now time.Time) (APIKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.keys[prefix]
	if !ok || now.Sub(e.at) >= KeyCacheTTL || now.Before(e.at) {
		return APIKey{}, false
	}
	return e.key, true
}

func (c *keyCache) put(k APIKey, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil || len(c.keys) >= maxCachedKeys {
		c.keys = map[string]cachedKey{}
	}
	c.keys[k.Prefix] = cachedKey{key: k, at: now}
}

func (c *keyCache) evict(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, prefix)
}

// dueForTouch reports whether the key's last use should be written now,
// and if so records that it is being written.
func (c *keyCache) dueForTouch(id string, now time.Time, interval time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.touched == nil || len(c.touched) >= maxCachedKeys {
		c.touched = map[string]time.Time{}
	}
	if last, ok := c.touched[id]; ok && now.Sub(last) < interval && !now.Before(last) {
		return false
	}
	c.touched[id] = now
	return true
}
