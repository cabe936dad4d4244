package domain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// EvidenceBlob is a file in the EvidenceStore, addressed by its content.
type EvidenceBlob struct {
	SHA256    string // lower-case hex
	Size      int64
	MediaType string // sniffed from the first 512 bytes (net/http.DetectContentType)
}

// Evidence error kinds. Both come wrapped in an *UploadError naming the
// field.
var (
	// ErrEvidenceTooLarge: the file is larger than the limit (413).
	ErrEvidenceTooLarge = errors.New("evidence file too large")
	// ErrUnsupportedMediaType: the file's type is not accepted, or is not
	// what the client declared (415).
	ErrUnsupportedMediaType = errors.New("unsupported media type")
	// ErrEvidenceCorrupt: a stored file no longer hashes to its recorded
	// SHA-256 (an internal error: the store was tampered with or damaged).
	ErrEvidenceCorrupt = errors.New("stored evidence does not match its sha256")
)

// UploadError is a rejected upload. It unwraps to its Kind:
// ErrEvidenceTooLarge or ErrUnsupportedMediaType.
type UploadError struct {
	Kind    error
	Field   string
	Message string
}

func (e *UploadError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes errors.Is(err, e.Kind) true.
func (e *UploadError) Unwrap() error { return e.Kind }

// DefaultMaxEvidenceBytes is the default upload limit: 25 MiB.
const DefaultMaxEvidenceBytes = 25 << 20

// EvidenceMediaTypes are the sniffed media types accepted as evidence, in
// the exact form net/http.DetectContentType gives them. Office documents
// (docx, xlsx) are zip files.
var EvidenceMediaTypes = []string{
	"application/pdf", "image/png", "image/jpeg", "text/plain; charset=utf-8", "application/zip",
}

// SniffEvidence returns the media type of content from its first bytes
// (at most 512 are looked at).
func SniffEvidence(head []byte) string { return http.DetectContentType(head) }

// declaredAgrees lists, per accepted sniffed type (without parameters),
// the declared types that agree with it; a declared type ending in "."
// is a prefix.
var declaredAgrees = map[string][]string{
	"application/pdf": {"application/pdf", "application/x-pdf"},
	"image/png":       {"image/png"},
	"image/jpeg":      {"image/jpeg", "image/jpg", "image/pjpeg"},
	"text/plain":      {"text/plain", "text/csv", "text/markdown"},
	"application/zip": {"application/zip", "application/x-zip-compressed",
		"application/vnd.openxmlformats-officedocument.", "application/vnd.oasis.opendocument."},
}

// CheckEvidenceType accepts content whose sniffed type is one of
// EvidenceMediaTypes and agrees with the type the client declared for the
// part. An absent declaration or application/octet-stream declares
// nothing. It returns an *UploadError (ErrUnsupportedMediaType) on field.
func CheckEvidenceType(field, declared, sniffed string) error {
	accepted := false
	for _, t := range EvidenceMediaTypes {
		accepted = accepted || t == sniffed
	}
	if !accepted {
		return &UploadError{Kind: ErrUnsupportedMediaType, Field: field, Message: "the content is " + sniffed +
			"; accepted are PDF, PNG, JPEG, UTF-8 text and zip (office documents)"}
	}
	base, _, _ := strings.Cut(sniffed, ";")
	d := strings.ToLower(strings.TrimSpace(declared))
	if d == "" {
		return nil
	}
	d, _, err := mime.ParseMediaType(d)
	if err != nil {
		return &UploadError{Kind: ErrUnsupportedMediaType, Field: field, Message: "the declared Content-Type " +
			quote(declared) + " is not a media type"}
	}
	if d == "application/octet-stream" {
		return nil
	}
	for _, ok := range declaredAgrees[base] {
		if d == ok || (strings.HasSuffix(ok, ".") && strings.HasPrefix(d, ok)) {
			return nil
		}
	}
	return &UploadError{Kind: ErrUnsupportedMediaType, Field: field, Message: "declared as " + d +
		" but the content is " + base}
}

// MaxEvidenceNameLen bounds a stored file name, in characters.
const MaxEvidenceNameLen = 255

// SanitizeEvidenceName makes a client's file name safe to store and to
// send back in Content-Disposition: the last path element only, valid
// UTF-8, no control or bidirectional-override characters, at most 255
// characters (the extension is kept when shortening). It returns
// "evidence" when nothing usable is left.
func SanitizeEvidenceName(name string) string {
	name = strings.ToValidUTF8(name, "_")
	name = strings.ReplaceAll(name, `\`, "/")
	name = path.Base(name)
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), unicode.Is(unicode.Bidi_Control, r), r == utf8.RuneError:
			return -1
		case r == '"':
			return '\''
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == ".." || name == "/" {
		return "evidence"
	}
	if utf8.RuneCountInString(name) > MaxEvidenceNameLen {
		ext := path.Ext(name)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		stem := []rune(strings.TrimSuffix(name, ext))
		name = string(stem[:MaxEvidenceNameLen-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

// StoreEvidence sniffs an upload's type from its first bytes, checks it
// against the accepted types and the client's declaration, and streams it
// into the store within limit bytes. Nothing is stored when any check
// fails: an empty file is invalid, a wrong type an *UploadError
// (ErrUnsupportedMediaType), an oversized file one wrapping
// ErrEvidenceTooLarge.
func StoreEvidence(ctx context.Context, store EvidenceStore, up EvidenceUpload, limit int64) (EvidenceBlob, error) {
	head := make([]byte, 512)
	n, err := io.ReadFull(up.Content, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return EvidenceBlob{}, fmt.Errorf("read evidence: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return EvidenceBlob{}, Invalid("file", "is empty")
	}
	sniffed := SniffEvidence(head)
	if err := CheckEvidenceType("file", up.DeclaredType, sniffed); err != nil {
		return EvidenceBlob{}, err
	}
	blob, err := store.Put(ctx, io.MultiReader(bytes.NewReader(head), up.Content), limit)
	if err != nil {
		return EvidenceBlob{}, err
	}
	if blob.MediaType != sniffed {
		return EvidenceBlob{}, fmt.Errorf("evidence store sniffed %s, the service %s", blob.MediaType, sniffed)
	}
	return blob, nil
}

// EvidenceStore keeps evidence files, addressed by the SHA-256 of their
// content: identical content is stored once, and a stored file never
// changes.
type EvidenceStore interface {
	// Put reads r to the end and stores it. When r holds more than maxBytes
	// it stores nothing and returns an *UploadError wrapping
	// ErrEvidenceTooLarge; on any other failure it stores nothing either.
	Put(ctx context.Context, r io.Reader, maxBytes int64) (EvidenceBlob, error)
	// Open returns the content stored under sha256 (lower-case hex).
	// Returns ErrNotFound when there is none, and ErrEvidenceCorrupt when
	// the stored bytes no longer hash to sha256.
	Open(ctx context.Context, sha256 string) (io.ReadCloser, error)
}

// EvidenceUpload is an evidence file as a client sends it.
type EvidenceUpload struct {
	Name         string // the client's file name
	DeclaredType string // the Content-Type the client gave the file, if any
	Content      io.Reader
}
