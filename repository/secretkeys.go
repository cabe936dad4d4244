package repository

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/vendorwatch/vendorwatch/domain"
)

// SecretKeys seal the secrets the service must read back in clear (the
// webhook signing secrets: the receiver checks an HMAC made with the
// secret itself, so it cannot be hashed) with AES-256-GCM. A sealed
// secret is "v1.<key id>.<base64url of nonce and ciphertext>", bound to
// the row it belongs to (the row id is the GCM additional data), so a
// database writer can neither read it nor move it to another row.
//
// One key seals; older keys (after a rotation) still open what they
// sealed. Keys kept in files are read on first use, and read again when a
// secret names a key not yet loaded (another process rotated the key).
type SecretKeys struct {
	path  string   // the sealing key's file ("" for fixed keys)
	older []string // files of older keys

	mu      sync.Mutex
	primary *sealKey
	byID    map[string]*sealKey
}

type sealKey struct {
	id   string // 8 hex digits
	aead cipher.AEAD
}

// SecretKeySize is the size of a key: AES-256.
const SecretKeySize = 32

const sealedPrefix = "v1."

// ErrSecretKey: a sealed secret cannot be opened with the configured keys.
var ErrSecretKey = errors.New("sealed secret cannot be opened with the configured keys")

// FileSecretKeys returns keys kept in files: path holds the sealing key
// (created, random and readable only by its owner, on first use when it
// does not exist); older are files of earlier keys. Each file holds the
// key in base64. An interrupted rotation's new key (path+".new") and the
// key it replaced (path+".old") are read too when present.
func FileSecretKeys(path string, older ...string) *SecretKeys {
	return &SecretKeys{path: path, older: older}
}

// NewSecretKeys returns fixed keys: primary seals, all open.
func NewSecretKeys(primary []byte, older ...[]byte) (*SecretKeys, error) {
	k := &SecretKeys{byID: map[string]*sealKey{}}
	for i, raw := range append([][]byte{primary}, older...) {
		sk, err := newSealKey(raw)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			k.primary = sk
		}
		k.byID[sk.id] = sk
	}
	return k, nil
}

// EphemeralSecretKeys returns a random key that lives as long as the
// process (the same one on every call): for tests and throwaway databases
// only, since secrets sealed with it cannot be opened after a restart.
func EphemeralSecretKeys() *SecretKeys { return processKeys() }

var processKeys = sync.OnceValue(func() *SecretKeys {
	k, err := NewSecretKeys(GenerateSecretKey())
	if err != nil {
		panic(err) // a fresh key always has the right size
	}
	return k
})

// GenerateSecretKey returns a new random key.
func GenerateSecretKey() []byte {
	b := make([]byte, SecretKeySize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return b
}

func newSealKey(raw []byte) (*sealKey, error) {
	if len(raw) != SecretKeySize {
		return nil, fmt.Errorf("secret key: %s, want %d", domain.Count(len(raw), "byte", "bytes"), SecretKeySize)
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealKey{id: KeyID(raw), aead: aead}, nil
}

// KeyID names a key without revealing it: the first 4 bytes of a SHA-256
// of it, in hex.
func KeyID(raw []byte) string {
	sum := sha256.Sum256(append([]byte("vendorwatch secret key id\x00"), raw...))
	return hex.EncodeToString(sum[:4])
}

// load reads the key files when not loaded yet (or again, when reload).
// The caller holds k.mu.
func (k *SecretKeys) load(reload bool) error {
	if k.path == "" || (k.primary != nil && !reload) {
		return nil
	}
	raw, err := readOrCreateKeyFile(k.path)
	if err != nil {
		return err
	}
	primary, err := newSealKey(raw)
	if err != nil {
		return fmt.Errorf("%s: %w", k.path, err)
	}
	byID := map[string]*sealKey{primary.id: primary}
	files := append([]string{k.path + ".new", k.path + ".old"}, k.older...)
	for _, f := range files {
		raw, err := readKeyFile(f)
		if errors.Is(err, fs.ErrNotExist) && (f == k.path+".new" || f == k.path+".old") {
			continue
		}
		if err != nil {
			return err
		}
		sk, err := newSealKey(raw)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if _, dup := byID[sk.id]; !dup {
			byID[sk.id] = sk
		}
	}
	k.primary, k.byID = primary, byID
	return nil
}

// PrimaryID returns the id of the sealing key (loading it if need be).
func (k *SecretKeys) PrimaryID() (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if err := k.load(false); err != nil {
		return "", err
	}
	return k.primary.id, nil
}

// Seal encrypts secret for the row named by binding.
func (k *SecretKeys) Seal(secret, binding string) (string, error) {
	k.mu.Lock()
	err := k.load(false)
	primary := k.primary
	k.mu.Unlock()
	if err != nil {
		return "", err
	}
	return primary.seal(secret, binding), nil
}

func (sk *sealKey) seal(secret, binding string) string {
	nonce := make([]byte, sk.aead.NonceSize())
	_, _ = rand.Read(nonce)
	out := sk.aead.Seal(nonce, nonce, []byte(secret), []byte(binding))
	return sealedPrefix + sk.id + "." + base64.RawURLEncoding.EncodeToString(out)
}

// Open decrypts a sealed secret of the row named by binding. Returns
// ErrSecretKey (wrapped, naming the key id) when no configured key sealed
// it or it was altered.
func (k *SecretKeys) Open(sealed, binding string) (string, error) {
	id, body, ok := splitSealed(sealed)
	if !ok {
		return "", fmt.Errorf("%w: not a sealed secret", ErrSecretKey)
	}
	k.mu.Lock()
	err := k.load(false)
	sk := k.byID[id]
	if err == nil && sk == nil {
		err = k.load(true) // rotated by another process meanwhile?
		sk = k.byID[id]
	}
	k.mu.Unlock()
	if err != nil {
		return "", err
	}
	if sk == nil {
		return "", fmt.Errorf("%w: it was sealed with key %s, which is not configured", ErrSecretKey, id)
	}
	ns := sk.aead.NonceSize()
	if len(body) < ns {
		return "", fmt.Errorf("%w: truncated", ErrSecretKey)
	}
	plain, err := sk.aead.Open(nil, body[:ns], body[ns:], []byte(binding))
	if err != nil {
		return "", fmt.Errorf("%w: it does not authenticate under key %s (altered, or moved from another row)", ErrSecretKey, id)
	}
	return string(plain), nil
}

// SealedKeyID returns the id of the key that sealed s ("" if s is not a
// sealed secret).
func SealedKeyID(s string) string {
	id, _, _ := splitSealed(s)
	return id
}

func splitSealed(s string) (id string, body []byte, ok bool) {
	rest, found := strings.CutPrefix(s, sealedPrefix)
	if !found {
		return "", nil, false
	}
	id, enc, found := strings.Cut(rest, ".")
	if !found || len(id) != 8 {
		return "", nil, false
	}
	body, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", nil, false
	}
	return id, body, true
}

// readKeyFile reads a base64 key.
func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil {
		return nil, fmt.Errorf("secret key file %s: not base64: %w", path, err)
	}
	return raw, nil
}

// readOrCreateKeyFile reads the key at path, creating a random one when
// the file does not exist. Processes starting together on a shared volume
// agree: only one creates the file, the others read it.
func readOrCreateKeyFile(path string) ([]byte, error) {
	raw, err := readKeyFile(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return raw, err
	}
	raw = GenerateSecretKey()
	if err := writeKeyFile(path, raw, false); errors.Is(err, fs.ErrExist) {
		return readKeyFile(path)
	} else if err != nil {
		return nil, err
	}
	return raw, nil
}

// writeKeyFile writes a key readable only by its owner, synced to disk;
// it fails with fs.ErrExist when the file exists, unless replace.
func writeKeyFile(path string, raw []byte, replace bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if replace {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return fmt.Errorf("secret key file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("secret key file %s: %w", path, err)
	}
	return nil
}
