package auditlog

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// FileEntry is one line of the checkpoint file (JSON Lines, appended to,
// never rewritten). Only Note is believed: Size and Root repeat it for
// people reading the file.
type FileEntry struct {
	At   time.Time `json:"at"`
	Size int64     `json:"size"`
	Root string    `json:"root_hash"`
	Note string    `json:"note"`
}

// FileLine is s as one line of the checkpoint file, written at at.
func FileLine(s Signed, at time.Time) []byte {
	b, _ := json.Marshal(FileEntry{At: at.UTC(), Size: s.Size, Root: base64.StdEncoding.EncodeToString(s.Root[:]), Note: s.Note})
	return append(b, '\n')
}

// ReadGiven reads checkpoints from r, named name in the report: either a
// checkpoint file (JSON Lines of FileEntry) or a single signed note (as a
// webhook receiver or a workbook keeps it).
func ReadGiven(r io.Reader, name string) ([]Given, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	if trimmed[0] != '{' {
		return []Given{{Source: name, Note: string(trimmed) + "\n"}}, nil
	}
	var out []Given
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e FileEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: not a checkpoint line: %w", name, line, err)
		}
		out = append(out, Given{Source: fmt.Sprintf("%s:%d", name, line), Note: e.Note})
	}
	return out, sc.Err()
}
