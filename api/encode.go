package api

import (
	"bytes"
	"net/http"
	"strconv"
	"sync"

	json "github.com/goccy/go-json"
)

// Responses are encoded with github.com/goccy/go-json, which writes what
// encoding/json writes (encode_test.go compares the two on every hot
// response type and fuzzes them) in about a third of its time on a page of
// vendors or findings (BenchmarkEncodeJSON).

// bufPool recycles response buffers, so a response is encoded into
// memory and written once with its Content-Length.
var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuf keeps unusually large buffers (an export, a huge page) out
// of the pool.
const maxPooledBuf = 1 << 20

// encodeJSON writes v compactly with HTML escaping off (this is an API,
// not a page), in one write with its Content-Length.
func encodeJSON(w http.ResponseWriter, v any) error {
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledBuf {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	buf.Reset()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err := w.Write(buf.Bytes())
	return err
}
