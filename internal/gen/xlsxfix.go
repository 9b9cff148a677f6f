package gen

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// finalizeXLSX copies the package src to dst with two repairs:
//
//   - excelize's StreamWriter keeps the new sheet's template <dimension
//     ref="A1"/> whatever was written, and readers such as openpyxl in
//     read-only mode trust it; every worksheet gets the range of its cells.
//   - excelize writes stream parts in map order, so two saves of the same
//     workbook can differ; parts are written in name order, without times.
//
// Worksheets are read twice (once to find the range, once to copy) instead
// of being held in memory: national-scale sheets are hundreds of megabytes.
func finalizeXLSX(src, dst string) (err error) {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return fmt.Errorf("reopen %s: %w", dst, err)
	}
	defer zr.Close()
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })

	out, err := os.Create(dst)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", dst, cerr)
		}
	}()
	bw := bufio.NewWriterSize(out, 256<<10)
	zw := zip.NewWriter(bw)
	for _, f := range files {
		if err := copyPart(zw, f); err != nil {
			return fmt.Errorf("write %s: part %s: %w", dst, f.Name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", dst, err)
	}
	return nil
}

func isWorksheet(name string) bool {
	return strings.HasPrefix(name, "xl/worksheets/") && strings.HasSuffix(name, ".xml") &&
		!strings.Contains(name[len("xl/worksheets/"):], "/")
}

func copyPart(zw *zip.Writer, f *zip.File) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: zipTime})
	if err != nil {
		return err
	}
	if !isWorksheet(f.Name) {
		rc, err := f.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(w, rc)
		if cerr := rc.Close(); err == nil {
			err = cerr
		}
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	ref, err := usedRange(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if rc, err = f.Open(); err != nil {
		return err
	}
	defer rc.Close()
	return setDimension(w, rc, ref)
}

// zipTime is the fixed modification time of every part: a valid DOS date,
// so that no tool shows 1980-00-00, and never the time of generation.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// maxHead bounds how much of a worksheet may precede <sheetData>.
const maxHead = 1 << 20

var (
	dimensionRE = regexp.MustCompile(`<dimension\b[^>]*/>|<dimension\b[^>]*>\s*</dimension>`)
	sheetPrRE   = regexp.MustCompile(`<sheetPr\b[^>]*/>|<sheetPr\b[^>]*>.*?</sheetPr>`)
	worksheetRE = regexp.MustCompile(`<worksheet\b[^>]*>`)
)

// setDimension copies a worksheet from r to w with its dimension element set
// to ref, inserting the element where the schema wants it when it is missing.
func setDimension(w io.Writer, r io.Reader, ref string) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var head []byte
	for {
		chunk, err := br.ReadSlice('>')
		head = append(head, chunk...)
		if bytes.Contains(head, []byte("<sheetData")) || errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
		if len(head) > maxHead {
			return errors.New("worksheet has no sheetData near its start")
		}
	}
	dim := []byte(`<dimension ref="` + ref + `"/>`)
	switch {
	case dimensionRE.Match(head):
		head = dimensionRE.ReplaceAllLiteral(head, dim)
	case sheetPrRE.Match(head):
		loc := sheetPrRE.FindIndex(head)
		head = append(head[:loc[1]:loc[1]], append(dim, head[loc[1]:]...)...)
	default:
		loc := worksheetRE.FindIndex(head)
		if loc == nil {
			return errors.New("no worksheet element")
		}
		head = append(head[:loc[1]:loc[1]], append(dim, head[loc[1]:]...)...)
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := io.Copy(w, br)
	return err
}

// usedRange returns the range ("A1:G31") spanned by the cells of a worksheet
// part, as a dimension element should state it; "A1" when it has no cells.
// It scans the XML as a byte stream: cell elements <c … r="B7" …>.
func usedRange(r io.Reader) (string, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	minCol, minRow, maxCol, maxRow := 0, 0, 0, 0
	for {
		if _, err := br.ReadSlice('<'); err != nil {
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				break
			}
			return "", err
		}
		next, err := br.Peek(2)
		if err != nil || next[0] != 'c' || (next[1] != ' ' && next[1] != '>' && next[1] != '/') {
			continue
		}
		tag, err := br.ReadSlice('>')
		if err != nil {
			return "", fmt.Errorf("cell element: %w", err)
		}
		i := bytes.Index(tag, []byte(` r="`))
		if i < 0 {
			return "", errors.New("cell element without a reference")
		}
		refEnd := bytes.IndexByte(tag[i+4:], '"')
		if refEnd < 0 {
			return "", errors.New("cell element with a broken reference")
		}
		col, row, err := excelize.CellNameToCoordinates(string(tag[i+4 : i+4+refEnd]))
		if err != nil {
			return "", err
		}
		if minCol == 0 || col < minCol {
			minCol = col
		}
		if minRow == 0 || row < minRow {
			minRow = row
		}
		maxCol, maxRow = max(maxCol, col), max(maxRow, row)
	}
	if maxRow == 0 {
		return "A1", nil
	}
	from, _ := excelize.CoordinatesToCellName(minCol, minRow)
	to, _ := excelize.CoordinatesToCellName(maxCol, maxRow)
	if from == to {
		return from, nil
	}
	return from + ":" + to, nil
}
