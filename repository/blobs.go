package repository

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/vendorwatch/vendorwatch/domain"
)

// Blobs is the filesystem evidence store. A file is kept once per content,
// at <dir>/sha256/<first two hex digits>/<sha256 hex>, read-only. Writes go
// to a temporary file in <dir>/sha256 (same filesystem) while hashing, are
// synced, then renamed into place, so a reader never sees a partial file
// and a failed or oversized upload leaves nothing behind.
type Blobs struct{ dir string }

var _ domain.EvidenceStore = (*Blobs)(nil)

// NewBlobs returns the store rooted at dir. Directories are created on the
// first write.
func NewBlobs(dir string) *Blobs { return &Blobs{dir: dir} }

// Path returns where the blob with the given hex SHA-256 is (or would be)
// stored.
func (b *Blobs) Path(sum string) string {
	return filepath.Join(b.dir, "sha256", sum[:2], sum)
}

// Put implements domain.EvidenceStore.
func (b *Blobs) Put(ctx context.Context, r io.Reader, maxBytes int64) (blob domain.EvidenceBlob, err error) {
	root := filepath.Join(b.dir, "sha256")
	if err := os.MkdirAll(root, 0o750); err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	tmp, err := os.CreateTemp(root, ".upload-*")
	if err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	placed := false
	defer func() {
		if !placed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	head := &blobHeadWriter{max: 512}
	n, err := io.Copy(io.MultiWriter(tmp, h, head), io.LimitReader(blobCtxReader{ctx, r}, maxBytes+1))
	if err != nil {
		return blob, fmt.Errorf("store evidence: %w", err)
	}
	if n > maxBytes {
		return blob, &domain.UploadError{Kind: domain.ErrEvidenceTooLarge, Field: "file",
			Message: "is larger than the limit of " + domain.Count(maxBytes, "byte", "bytes")}
	}
	if err := tmp.Chmod(0o440); err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	blob = domain.EvidenceBlob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, MediaType: domain.SniffEvidence(head.b)}
	final := b.Path(blob.SHA256)
	if fi, err := os.Stat(final); err == nil && fi.Size() == n {
		return blob, nil // the same content is already stored; the deferred cleanup drops the copy
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o750); err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return blob, fmt.Errorf("evidence store: %w", err)
	}
	placed = true
	return blob, blobSyncDir(filepath.Dir(final))
}

// Open implements domain.EvidenceStore. It hashes the file before handing
// it out, so damaged or altered content is never served as evidence.
func (b *Blobs) Open(ctx context.Context, sum string) (io.ReadCloser, error) {
	if !validBlobSum(sum) {
		return nil, fmt.Errorf("evidence %q: %w", sum, domain.ErrNotFound)
	}
	f, err := os.Open(b.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("evidence %s is not in the store: %w", sum, domain.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	h := sha256.New()
	if _, err := io.Copy(h, blobCtxReader{ctx, f}); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		_ = f.Close()
		return nil, fmt.Errorf("evidence %s hashes to %s: %w", sum, got, domain.ErrEvidenceCorrupt)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	return f, nil
}

// validBlobSum reports whether s is a lower-case hex SHA-256.
func validBlobSum(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// blobSyncDir makes a rename in dir durable.
func blobSyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("evidence store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("evidence store: %w", err)
	}
	return nil
}

// blobHeadWriter keeps the first max bytes written to it.
type blobHeadWriter struct {
	b   []byte
	max int
}

func (w *blobHeadWriter) Write(p []byte) (int, error) {
	if room := w.max - len(w.b); room > 0 {
		w.b = append(w.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// blobCtxReader stops reading once ctx is done.
type blobCtxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c blobCtxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
