package repository_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/repository"
)

// blobFiles lists every file under dir, relative to it.
func blobFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBlobsPutOpen(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dir := t.TempDir()
	store := repository.NewBlobs(dir)
	content := []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])

	blob, err := store.Put(ctx, bytes.NewReader(content), 1024)
	if err != nil {
		t.Fatal(err)
	}
	if blob.SHA256 != want || blob.Size != int64(len(content)) || blob.MediaType != "application/pdf" {
		t.Errorf("blob = %+v, want sha256 %s size %d application/pdf", blob, want, len(content))
	}
	wantPath := filepath.Join("sha256", want[:2], want)
	if files := blobFiles(t, dir); len(files) != 1 || files[0] != wantPath {
		t.Errorf("files = %v, want [%s]", files, wantPath)
	}

	// The same content again is stored once.
	again, err := store.Put(ctx, bytes.NewReader(content), 1024)
	if err != nil || again != blob {
		t.Errorf("second put = %+v, %v", again, err)
	}
	if files := blobFiles(t, dir); len(files) != 1 {
		t.Errorf("after a duplicate put: files = %v", files)
	}

	// Open returns exactly the bytes, and they hash to the key.
	rc, err := store.Open(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil || !bytes.Equal(got, content) {
		t.Errorf("open = %q, %v", got, err)
	}
	if s := sha256.Sum256(got); hex.EncodeToString(s[:]) != want {
		t.Errorf("read bytes hash to %x", s)
	}

	// Unknown or malformed keys are not found.
	for _, key := range []string{strings.Repeat("0", 64), "../../etc/passwd", strings.ToUpper(want), ""} {
		if _, err := store.Open(ctx, key); !errors.Is(err, domain.ErrNotFound) {
			t.Errorf("open %q: %v, want ErrNotFound", key, err)
		}
	}

	// A stored file that was altered is refused, not served.
	path := filepath.Join(dir, wantPath)
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(content, 'x'), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Open(ctx, want); !errors.Is(err, domain.ErrEvidenceCorrupt) {
		t.Errorf("open altered blob: %v, want ErrEvidenceCorrupt", err)
	}
	// Putting the original again repairs it.
	if _, err := store.Put(ctx, bytes.NewReader(content), 1024); err != nil {
		t.Fatal(err)
	}
	if rc, err := store.Open(ctx, want); err != nil {
		t.Errorf("open repaired blob: %v", err)
	} else {
		_ = rc.Close()
	}
}

func TestBlobsPutLimitsAndFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	store := repository.NewBlobs(dir)

	// Exactly at the limit is fine; one byte over stores nothing.
	if _, err := store.Put(t.Context(), bytes.NewReader(bytes.Repeat([]byte("a"), 100)), 100); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	_, err := store.Put(t.Context(), bytes.NewReader(bytes.Repeat([]byte("b"), 101)), 100)
	var ue *domain.UploadError
	if !errors.As(err, &ue) || !errors.Is(err, domain.ErrEvidenceTooLarge) || ue.Field != "file" {
		t.Fatalf("over the limit: %v, want an UploadError wrapping ErrEvidenceTooLarge", err)
	}
	if files := blobFiles(t, dir); len(files) != 1 {
		t.Errorf("after an oversized put: files = %v, want only the first blob", files)
	}

	// A reader that fails, or a cancelled context, leaves nothing behind.
	boom := io.MultiReader(strings.NewReader("partial"), blobErrReader{})
	if _, err := store.Put(t.Context(), boom, 100); !errors.Is(err, errBoom) {
		t.Errorf("failing reader: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := store.Put(ctx, strings.NewReader("never stored"), 100); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if files := blobFiles(t, dir); len(files) != 1 {
		t.Errorf("after failed puts: files = %v", files)
	}
}

type blobErrReader struct{}

func (blobErrReader) Read([]byte) (int, error) { return 0, errBoom }
