package auditlog

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Origin names the log: the first line of its checkpoints and the name of
// its signing key.
const Origin = "vendorwatch-audit-log"

// Checkpoint is a statement of the tree: its size (number of leaves) and
// root hash, under the log's origin.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text is the checkpoint in the C2SP tlog-checkpoint form that is signed:
// the origin, the size in decimal and the base64 root hash, one per line.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpoint reads the text of a checkpoint (further lines, C2SP
// extensions, are ignored).
func ParseCheckpoint(text string) (Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return Checkpoint{}, errors.New("checkpoint: want origin, size and root hash lines")
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return Checkpoint{}, fmt.Errorf("checkpoint: size %q is not a decimal count", lines[1])
	}
	raw, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(raw) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("checkpoint: root %q is not a base64 SHA-256 hash", lines[2])
	}
	c := Checkpoint{Origin: lines[0], Size: size}
	copy(c.Root[:], raw)
	return c, nil
}

// Signed is a checkpoint with its signed note (the checkpoint text, a
// blank line, and the signature line "— <key name> <base64 signature>").
type Signed struct {
	Checkpoint
	Note string
}

// Keys are the log's signing key and its public half.
type Keys struct {
	Signer   note.Signer
	Verifier note.Verifier
	// Public is the verifier key in note form, "<name>+<hash>+<key>":
	// what outside parties need to check checkpoints and proofs.
	Public string
}

// NewSignerKey returns a new Ed25519 signer key in note form
// ("PRIVATE+KEY+<name>+<hash>+<key>") named Origin.
func NewSignerKey() (string, error) {
	skey, _, err := note.GenerateKey(rand.Reader, Origin)
	return skey, err
}

// GenerateKeys returns a new key pair named Origin.
func GenerateKeys() (Keys, error) {
	skey, err := NewSignerKey()
	if err != nil {
		return Keys{}, err
	}
	return ParseSignerKey(skey)
}

// ParseSignerKey reads a signer key in note form and derives its public
// verifier key.
func ParseSignerKey(skey string) (Keys, error) {
	skey = strings.TrimSpace(skey)
	signer, err := note.NewSigner(skey)
	if err != nil {
		return Keys{}, fmt.Errorf("audit log signing key: %w", err)
	}
	// PRIVATE+KEY+<name>+<hash>+<base64(0x01 || seed)>; base64 has '+' too.
	parts := strings.SplitN(skey, "+", 5)
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return Keys{}, errors.New("audit log signing key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return Keys{}, fmt.Errorf("audit log signing key: %w", err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		return Keys{}, fmt.Errorf("audit log signing key: %w", err)
	}
	return Keys{Signer: signer, Verifier: verifier, Public: vkey}, nil
}

// ParseVerifierKey reads a public verifier key in note form.
func ParseVerifierKey(vkey string) (note.Verifier, error) {
	v, err := note.NewVerifier(strings.TrimSpace(vkey))
	if err != nil {
		return nil, fmt.Errorf("audit log public key: %w", err)
	}
	return v, nil
}

// Sign signs c.
func Sign(c Checkpoint, s note.Signer) (Signed, error) {
	msg, err := note.Sign(&note.Note{Text: c.Text()}, s)
	if err != nil {
		return Signed{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return Signed{Checkpoint: c, Note: string(msg)}, nil
}

// ErrBadSignature: a checkpoint is not signed by the log's key.
var ErrBadSignature = errors.New("checkpoint is not signed by the audit log's key")

// Open verifies a signed checkpoint with v and parses it.
func Open(msg string, v note.Verifier) (Signed, error) {
	n, err := note.Open([]byte(msg), note.VerifierList(v))
	if err != nil {
		return Signed{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	c, err := ParseCheckpoint(n.Text)
	if err != nil {
		return Signed{}, err
	}
	if c.Origin != v.Name() {
		return Signed{}, fmt.Errorf("%w: origin %q is not the key's name %q", ErrBadSignature, c.Origin, v.Name())
	}
	return Signed{Checkpoint: c, Note: msg}, nil
}
