package spreadsheet

import (
	"archive/zip"
	"fmt"
	"regexp"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/importing"
)

// An .xlsx is a zip: a small upload can decompress to gigabytes (a zip
// bomb), and excelize keeps every part but the large worksheets in
// memory. Before excelize opens a workbook, its zip directory is checked
// against bounds proportional to the upload limit. Go's zip reader fails
// a part that decompresses to more than its directory entry declares, so
// the declared sizes are the real bounds.

// UnzipRatio is how many times the upload limit an .xlsx may decompress
// to, all parts together (256 MiB for the default 32 MiB limit). A
// workbook of the most rows an import takes (importing.MaxImportRows)
// decompresses to well under it.
const UnzipRatio = 8

// maxParts bounds the entries of the zip directory.
const maxParts = 1000

// zipBounds are the limits of one workbook, derived from the upload limit.
type zipBounds struct {
	total int64 // all parts, decompressed
	// stream is excelize's UnzipXMLSizeLimit: worksheets and shared
	// strings larger than this are decompressed to a temporary file and
	// read from there.
	stream int64
	// memory bounds the parts excelize keeps in memory: all the others.
	memory int64
}

func boundsFor(limit int64) zipBounds {
	if limit <= 0 {
		limit = importing.DefaultMaxImportBytes
	}
	total := UnzipRatio * limit
	return zipBounds{total: total, stream: min(max(limit/4, 1<<20), total), memory: limit}
}

// sheetParts are the parts a workbook may have: the package, the
// workbook, its worksheets and shared strings, and the styling and
// annotation parts that spreadsheet programs write with them. Anything
// else (images, charts, embedded objects, macros, external links, pivot
// caches) carries nothing an import reads, and is refused.
var sheetParts = regexp.MustCompile(`(?i)^(` + strings.Join([]string{
	`\[Content_Types\]\.xml`,
	`_rels/\.rels`,
	`docProps/[a-z]+\.xml`,
	`customXml/(_rels/)?item(Props)?\d*\.xml(\.rels)?`,
	`xl/workbook\.xml`,
	`xl/_rels/workbook\.xml\.rels`,
	`xl/worksheets/sheet\d+\.xml`,
	`xl/worksheets/_rels/sheet\d+\.xml\.rels`,
	`xl/sharedStrings\.xml`,
	`xl/styles\.xml`,
	`xl/theme/theme\d+\.xml`,
	`xl/calcChain\.xml`,
	`xl/metadata\.xml`,
	`xl/tables/table\d+\.xml`,
	`xl/comments\d+\.xml`,
	`xl/threadedComments/threadedComment\d+\.xml`,
	`xl/persons/person\.xml`,
	`xl/drawings/vmlDrawing\d+\.vml`,
	`xl/printerSettings/printerSettings\d+\.bin`,
}, "|") + `)$`)

// streamed reports whether excelize reads part from a temporary file
// when it is larger than the stream bound (worksheets, shared strings).
func streamed(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "xl/worksheets/sheet") || n == "xl/sharedstrings.xml"
}

// check refuses a workbook whose parts are not all sheet parts (422), or
// that decompresses beyond the bounds (413).
func (b zipBounds) check(files []*zip.File) error {
	tooLarge := func(msg string, args ...any) error {
		return &domain.UploadError{Kind: domain.ErrEvidenceTooLarge, Field: "file", Message: fmt.Sprintf(msg, args...)}
	}
	if len(files) > maxParts {
		return fileInvalid("has %d parts; a workbook of sheets has a few dozen at most", len(files))
	}
	var total, memory int64
	for _, f := range files {
		if strings.HasSuffix(f.Name, "/") {
			continue // a directory entry
		}
		if !sheetParts.MatchString(strings.ReplaceAll(f.Name, `\`, "/")) {
			return fileInvalid("contains %q, which is not part of a workbook's sheets; imports read only sheets, "+
				"so save the data without images, charts, embedded objects or macros (or as CSV)", f.Name)
		}
		size := int64(f.UncompressedSize64)
		if f.UncompressedSize64 > uint64(b.total) {
			size = b.total + 1
		}
		total += size
		if !streamed(f.Name) || size <= b.stream {
			memory += size
		}
		switch {
		case total > b.total:
			return tooLarge("decompresses to more than %s (%d times the import limit); split it into several files",
				domain.Count(b.total, "byte", "bytes"), UnzipRatio)
		case memory > b.memory:
			return tooLarge("has more than %s of parts besides its large worksheets; split it into several files, or save it as CSV",
				domain.Count(b.memory, "byte", "bytes"))
		}
	}
	return nil
}
