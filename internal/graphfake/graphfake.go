// Package graphfake is an in-process stand-in for the parts of Microsoft
// Graph that the SharePoint source and sink use: site and drive lookup, items
// by path, paged children, content download through a pre-authenticated
// redirect, simple and resumable uploads. It speaks the wire format closely
// enough that the real msgraph-sdk-go cannot tell the difference, and it can
// throttle, slow down, drop connections and deny access on demand.
//
// It deliberately imports nothing from the Graph SDK, so any package's tests
// can use it without paying for compiling the SDK. To point the SharePoint
// client at it:
//
//	fake := graphfake.New(t)
//	fake.PutFile("TyöMatka/seuranta.xlsx", data)
//	c, err := sharepoint.New(ctx, sharepoint.Config{
//		Site: fake.Site(), Drive: fake.DriveName, BaseURL: fake.BaseURL(), Token: graphfake.Token,
//		Tracking: "TyöMatka/seuranta.xlsx", Accruals: "TyöMatka/Kertymät", Output: "TyöMatka/Raportit",
//	}, logger)
package graphfake

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Defaults of a new Server.
const (
	Token           = "graphfake-token" // the only bearer token /v1.0 accepts
	DefaultHost     = "contoso.sharepoint.com"
	DefaultSitePath = "/sites/tyollisyys"
	DefaultDrive    = "Asiakirjat"
	DefaultPageSize = 2 // small, so paging is always exercised

	chunkMultiple = 320 << 10 // Graph wants upload fragments in multiples of 320 KiB
)

// Request is one request the server saw.
type Request struct {
	Method  string
	Path    string // escaped path without the query (tokens live in the query)
	Status  int    // 0 when the connection was dropped on purpose
	HadAuth bool   // an Authorization header was present
	At      time.Time
}

// RetryGap is the time between a throttled response and the client's next
// attempt at the same request.
type RetryGap struct {
	Key  string        // method, path and Content-Range of the request
	Told time.Duration // Retry-After sent
	Gap  time.Duration // time until the same request came again
}

// Item is a file or folder as stored in the fake drive.
type Item struct {
	ID     string
	Path   string // inside the drive, "" for the root, no leading slash
	Name   string
	Folder bool
	Data   []byte
	ETag   string
	CTag   string
}

type item struct {
	id, path string
	folder   bool
	data     []byte
	ver      int
	modified time.Time
}

type session struct {
	id       string
	token    string
	path     string
	behavior string
	ifMatch  string
	total    int64
	data     []byte
}

type throttle struct {
	at   time.Time
	told time.Duration
}

// Server is a fake Graph endpoint on loopback.
type Server struct {
	URL       string // http://127.0.0.1:port
	Host      string // SharePoint host name the site lives on
	SitePath  string // server-relative site path
	DriveName string // library display name

	srv     *httptest.Server
	siteID  string
	driveID string

	// inflight counts requests being served: a client may have read a whole
	// response a moment before its handler returns and logs it.
	inflight atomic.Int64

	mu          sync.Mutex
	pageSize    int
	otherDrives []string
	items       map[string]*item  // by id
	byPath      map[string]string // lower-case path → id; SharePoint paths are case-insensitive
	sessions    map[string]*session
	downloads   map[string]string // one-time token → item id
	log         []Request
	seq         int
	count       int // requests seen, for ThrottleEvery

	throttleEvery, throttleStatus int
	retryAfter                    time.Duration
	throttled                     map[string]throttle
	gaps                          []RetryGap
	dropDownloads                 int
	loseChunkAcks                 int
	deny                          int
	failFragments                 int
	delay                         time.Duration
	chunks                        []int64
	cancelled                     int
}

// New starts a server with one site, the library DefaultDrive beside a few
// other libraries (so the drive lookup must page), and an empty root folder.
// It is closed when the test ends.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		Host:        DefaultHost,
		SitePath:    DefaultSitePath,
		DriveName:   DefaultDrive,
		siteID:      DefaultHost + ",7f1c2e8a-3b4d-4e5f-8a9b-0c1d2e3f4a5b,1a2b3c4d-5e6f-4a8b-9c0d-e1f2a3b4c5d6",
		driveID:     "b!fakeDriveAsiakirjat0001",
		pageSize:    DefaultPageSize,
		otherDrives: []string{"Jaetut asiakirjat", "Sivuston resurssit", "Lomakkeet"},
		items:       map[string]*item{},
		byPath:      map[string]string{},
		sessions:    map[string]*session{},
		downloads:   map[string]string{},
		throttled:   map[string]throttle{},
	}
	s.items["root"] = &item{id: "root", folder: true, ver: 1, modified: time.Now()}
	s.byPath[""] = "root"
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	tb.Cleanup(s.Close)
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// BaseURL is the Graph base URL to give a client: URL + "/v1.0".
func (s *Server) BaseURL() string { return s.URL + "/v1.0" }

// Site is the site reference a client is configured with: "host:/sites/x".
func (s *Server) Site() string { return s.Host + ":" + s.SitePath }

// SetPageSize sets how many entries one page of a listing holds.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// ThrottleEvery makes every nth request (of any kind, counted from now)
// answer status (429 or 503) with Retry-After in whole seconds. n = 0 stops it.
func (s *Server) ThrottleEvery(n, status int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.throttleEvery, s.throttleStatus, s.retryAfter, s.count = n, status, retryAfter, 0
}

// DropDownloads makes the next n downloads send their headers and half the
// body, then close the connection.
func (s *Server) DropDownloads(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropDownloads = n
}

// LoseChunkAcks makes the next n non-final upload fragments be stored but the
// connection dropped before the answer, as when a response is lost on the
// way. The client's retry of the same fragment then gets 416.
func (s *Server) LoseChunkAcks(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loseChunkAcks = n
}

// FailFragments makes every upload fragment answer status (e.g. 500); 0
// stops it.
func (s *Server) FailFragments(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failFragments = status
}

// Deny makes every /v1.0 request answer status (401 or 403); 0 stops it.
func (s *Server) Deny(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deny = status
}

// SetDelay makes every response wait d before it is written.
func (s *Server) SetDelay(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Requests returns every request seen so far, once the requests being served
// have been logged (or after two seconds).
func (s *Server) Requests() []Request {
	for deadline := time.Now().Add(2 * time.Second); s.inflight.Load() > 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetRequests forgets the requests seen so far, and the retry gaps.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log, s.gaps = nil, nil
}

// RetryGaps returns, for every throttled request that came again, how long
// the client waited.
func (s *Server) RetryGaps() []RetryGap {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]RetryGap(nil), s.gaps...)
}

// PendingThrottled is the number of throttled requests that never came again.
func (s *Server) PendingThrottled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.throttled)
}

// ChunkSizes returns the size of every upload fragment received, in order.
func (s *Server) ChunkSizes() []int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int64(nil), s.chunks...)
}

// CancelledUploads is the number of upload sessions the client deleted.
func (s *Server) CancelledUploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cancelled
}

// PutFile stores data at p (inside the drive, e.g. "TyöMatka/seuranta.xlsx"),
// creating folders, as a user would. The file gets a new eTag.
func (s *Server) PutFile(p string, data []byte) Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, _ := s.write(cleanPath(p), data)
	return s.export(it)
}

// MkdirAll creates folder p and its parents.
func (s *Server) MkdirAll(p string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mkdirAll(cleanPath(p))
}

// File returns the item at p.
func (s *Server) File(p string) (Item, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byPath[strings.ToLower(cleanPath(p))]
	if !ok {
		return Item{}, false
	}
	return s.export(s.items[id]), true
}

// List returns the children of folder p in name order.
func (s *Server) List(p string) []Item {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byPath[strings.ToLower(cleanPath(p))]
	if !ok {
		return nil
	}
	var out []Item
	for _, it := range s.children(id) {
		out = append(out, s.export(it))
	}
	return out
}

func cleanPath(p string) string {
	p = strings.Trim(path.Clean("/"+p), "/")
	return p
}

func (s *Server) export(it *item) Item {
	return Item{ID: it.id, Path: it.path, Name: path.Base(it.path), Folder: it.folder,
		Data: append([]byte(nil), it.data...), ETag: etag(it), CTag: ctag(it)}
}

func etag(it *item) string { return fmt.Sprintf("\"{%s},%d\"", it.id, it.ver) }
func ctag(it *item) string { return fmt.Sprintf("\"c:{%s},%d\"", it.id, it.ver) }

func (s *Server) newID() string {
	s.seq++
	return fmt.Sprintf("01FAKE%08dITEM", s.seq)
}

func (s *Server) mkdirAll(p string) *item {
	if id, ok := s.byPath[strings.ToLower(p)]; ok {
		return s.items[id]
	}
	s.mkdirAll(parentOf(p))
	it := &item{id: s.newID(), path: p, folder: true, ver: 1, modified: time.Now()}
	s.items[it.id] = it
	s.byPath[strings.ToLower(p)] = it.id
	return it
}

func parentOf(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return ""
}

// write stores data at p and reports whether the file was new.
func (s *Server) write(p string, data []byte) (*item, bool) {
	s.mkdirAll(parentOf(p))
	if id, ok := s.byPath[strings.ToLower(p)]; ok {
		it := s.items[id]
		it.data, it.ver, it.modified = append([]byte(nil), data...), it.ver+1, time.Now()
		return it, false
	}
	it := &item{id: s.newID(), path: p, data: append([]byte(nil), data...), ver: 1, modified: time.Now()}
	s.items[it.id] = it
	s.byPath[strings.ToLower(p)] = it.id
	return it, true
}

func (s *Server) children(id string) []*item {
	parent := s.items[id]
	var out []*item
	for _, it := range s.items {
		if it.id != "root" && parentOf(it.path) == parent.path {
			out = append(out, it)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func token() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// recorder notes the status written and lets the handler hijack the
// connection to drop it.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// statusDropped marks a response whose connection was closed on purpose.
const statusDropped = -1

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := &recorder{ResponseWriter: w}
	entry := Request{Method: r.Method, Path: r.URL.EscapedPath(), HadAuth: r.Header.Get("Authorization") != "", At: time.Now()}
	s.inflight.Add(1)
	defer s.inflight.Add(-1)
	defer func() {
		if rec.status == statusDropped {
			entry.Status = 0
		} else {
			entry.Status = rec.status
		}
		s.mu.Lock()
		s.log = append(s.log, entry)
		s.mu.Unlock()
	}()

	s.mu.Lock()
	delay := s.delay
	key := r.Method + " " + r.URL.EscapedPath() + " " + r.Header.Get("Content-Range")
	if t, ok := s.throttled[key]; ok {
		s.gaps = append(s.gaps, RetryGap{Key: key, Told: t.told, Gap: entry.At.Sub(t.at)})
		delete(s.throttled, key)
	}
	s.count++
	throttleNow := s.throttleEvery > 0 && s.count%s.throttleEvery == 0
	status, ra := s.throttleStatus, s.retryAfter
	s.mu.Unlock()

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if throttleNow {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Retry-After", strconv.Itoa(int((ra+time.Second-1)/time.Second)))
		s.mu.Lock()
		s.throttled[key] = throttle{at: time.Now(), told: ra}
		s.mu.Unlock()
		code := "activityLimitReached"
		if status == http.StatusServiceUnavailable {
			code = "serviceNotAvailable"
		}
		writeError(rec, status, code, "The request has been throttled")
		return
	}

	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/download/"):
		s.serveDownload(rec, r)
	case strings.HasPrefix(p, "/upload/"):
		s.serveUpload(rec, r)
	case strings.HasPrefix(p, "/v1.0/"):
		s.serveAPI(rec, r)
	default:
		writeError(rec, http.StatusNotFound, "itemNotFound", "no such endpoint")
	}
}

// writeError writes Graph's error JSON.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	body := map[string]any{"error": map[string]any{
		"code": code, "message": msg,
		"innerError": map[string]any{"date": time.Now().UTC().Format(time.RFC3339), "request-id": token(), "client-request-id": token()},
	}}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	deny := s.deny
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer "+Token {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"`)
		writeError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty or invalid.")
		return
	}
	switch deny {
	case http.StatusUnauthorized:
		writeError(w, deny, "InvalidAuthenticationToken", "Access token validation failure.")
		return
	case http.StatusForbidden:
		writeError(w, deny, "accessDenied", "Access denied")
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/v1.0")
	switch {
	case strings.HasPrefix(rest, "/sites/"):
		s.serveSite(w, r, strings.TrimPrefix(rest, "/sites/"))
	case strings.HasPrefix(rest, "/drives/"):
		s.serveDrive(w, r, strings.TrimPrefix(rest, "/drives/"))
	default:
		writeError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment.")
	}
}

// serveSite answers /sites/{host}:/{path}[:][/drives] and /sites/{id}/drives.
func (s *Server) serveSite(w http.ResponseWriter, r *http.Request, rest string) {
	var tail string
	found := false
	if i := strings.Index(rest, ":"); i >= 0 && !strings.Contains(rest[:i], "/") {
		host, after := rest[:i], rest[i+1:]
		sitePath := after
		if j := strings.Index(after, ":"); j >= 0 {
			sitePath, tail = after[:j], after[j+1:]
		}
		found = strings.EqualFold(host, s.Host) && strings.EqualFold(strings.TrimSuffix(sitePath, "/"), s.SitePath)
	} else {
		id := rest
		if j := strings.Index(rest, "/"); j >= 0 {
			id, tail = rest[:j], rest[j:]
		}
		found = id == s.siteID
	}
	if !found {
		writeError(w, http.StatusNotFound, "itemNotFound", "Requested site could not be found")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "BadRequest", "method not allowed")
		return
	}
	switch tail {
	case "":
		writeJSON(w, http.StatusOK, map[string]any{
			"@odata.context": s.BaseURL() + "/$metadata#sites/$entity",
			"id":             s.siteID,
			"name":           path.Base(s.SitePath),
			"displayName":    path.Base(s.SitePath),
			"webUrl":         "https://" + s.Host + s.SitePath,
		})
	case "/drives":
		s.mu.Lock()
		names := append(append([]string(nil), s.otherDrives...), s.DriveName)
		size := s.pageSize
		s.mu.Unlock()
		var drives []any
		for i, n := range names {
			id := fmt.Sprintf("b!fakeDriveOther%04d", i)
			if n == s.DriveName {
				id = s.driveID
			}
			drives = append(drives, map[string]any{
				"id": id, "name": n, "driveType": "documentLibrary",
				"webUrl": "https://" + s.Host + s.SitePath + "/" + url.PathEscape(n),
			})
		}
		s.page(w, r, drives, size)
	default:
		writeError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+tail+"'.")
	}
}

// page writes one page of values with an @odata.nextLink when more follow.
func (s *Server) page(w http.ResponseWriter, r *http.Request, values []any, size int) {
	start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	if start < 0 || start > len(values) {
		writeError(w, http.StatusBadRequest, "invalidRequest", "bad skip token")
		return
	}
	end := min(start+size, len(values))
	body := map[string]any{"value": append([]any{}, values[start:end]...)}
	if end < len(values) {
		body["@odata.nextLink"] = s.URL + r.URL.EscapedPath() + "?$skiptoken=" + strconv.Itoa(end)
	}
	writeJSON(w, http.StatusOK, body)
}

// itemJSON renders a driveItem as Graph does.
func (s *Server) itemJSON(it *item) map[string]any {
	name := path.Base(it.path)
	if it.id == "root" {
		name = "root"
	}
	m := map[string]any{
		"@odata.context":       s.BaseURL() + "/$metadata#drives('" + s.driveID + "')/items/$entity",
		"id":                   it.id,
		"name":                 name,
		"eTag":                 etag(it),
		"cTag":                 ctag(it),
		"size":                 len(it.data),
		"createdDateTime":      it.modified.UTC().Format(time.RFC3339),
		"lastModifiedDateTime": it.modified.UTC().Format(time.RFC3339),
		"webUrl":               "https://" + s.Host + s.SitePath + "/" + url.PathEscape(s.DriveName) + "/" + (&url.URL{Path: it.path}).EscapedPath(),
		"parentReference": map[string]any{
			"driveType": "documentLibrary", "driveId": s.driveID,
			"path": "/drives/" + s.driveID + "/root:/" + parentOf(it.path),
		},
	}
	if it.folder {
		m["folder"] = map[string]any{"childCount": len(s.children(it.id))}
	} else {
		m["file"] = map[string]any{"mimeType": mimeType(name)}
	}
	return m
}

func mimeType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case ".csv":
		return "text/csv"
	case ".json":
		return "application/json"
	}
	return "application/octet-stream"
}

// serveDrive answers /drives/{id}/root…, /drives/{id}/items/{ref}… where ref
// is an item id, "root", or "root:/path:" (the SDK sends the last one
// percent-encoded as one segment; the decoded path is the same).
func (s *Server) serveDrive(w http.ResponseWriter, r *http.Request, rest string) {
	id, tail, _ := strings.Cut(rest, "/")
	if id != s.driveID {
		writeError(w, http.StatusNotFound, "itemNotFound", "The drive could not be found.")
		return
	}
	tail = "/" + tail
	var ref string
	switch {
	case strings.HasPrefix(tail, "/root"):
		ref = strings.TrimPrefix(tail, "/")
	case strings.HasPrefix(tail, "/items/"):
		ref = strings.TrimPrefix(tail, "/items/")
	default:
		writeError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment.")
		return
	}
	var itemPath, itemID, sub string
	byPath := false
	switch {
	case strings.HasPrefix(ref, "root:"):
		byPath = true
		after := strings.TrimPrefix(ref, "root:")
		if j := strings.Index(after, ":"); j >= 0 {
			itemPath, sub = after[:j], after[j+1:]
		} else {
			itemPath = after
		}
		itemPath = cleanPath(itemPath)
	default:
		itemID, sub, _ = strings.Cut(ref, "/")
		if sub != "" {
			sub = "/" + sub
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	var it *item
	if byPath {
		if iid, ok := s.byPath[strings.ToLower(itemPath)]; ok {
			it = s.items[iid]
		}
	} else {
		it = s.items[itemID]
	}

	switch {
	case r.Method == http.MethodGet && sub == "":
		if it == nil {
			writeError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
			return
		}
		writeJSON(w, http.StatusOK, s.itemJSON(it))
	case r.Method == http.MethodGet && sub == "/children":
		if it == nil || !it.folder {
			writeError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
			return
		}
		var vals []any
		for _, c := range s.children(it.id) {
			vals = append(vals, s.itemJSON(c))
		}
		s.page(w, r, vals, s.pageSize)
	case r.Method == http.MethodGet && sub == "/content":
		if it == nil || it.folder {
			writeError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
			return
		}
		tok := token()
		s.downloads[tok] = it.id
		// Graph answers with a short-lived URL that carries its own
		// authorisation in the query; the client must not send its token there.
		w.Header().Set("Location", s.URL+"/download/"+it.id+"?tempauth="+tok)
		w.WriteHeader(http.StatusFound)
	case r.Method == http.MethodPut && sub == "/content":
		s.putContent(w, r, it, byPath, itemPath)
	case r.Method == http.MethodPost && sub == "/createUploadSession":
		s.createSession(w, r, it, byPath, itemPath)
	default:
		writeError(w, http.StatusBadRequest, "BadRequest", "Resource not found for the segment '"+sub+"'.")
	}
}

// precondition checks If-Match against the item: Graph accepts the eTag or
// the cTag.
func precondition(r *http.Request, it *item) bool {
	m := r.Header.Get("If-Match")
	if m == "" || m == "*" && it != nil {
		return true
	}
	return it != nil && (m == etag(it) || m == ctag(it))
}

// putContent is the simple upload: PUT …/content (s.mu held).
func (s *Server) putContent(w http.ResponseWriter, r *http.Request, it *item, byPath bool, p string) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if !byPath && it == nil {
		writeError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
		return
	}
	if r.Header.Get("Content-Encoding") != "" {
		writeError(w, http.StatusBadRequest, "invalidRequest", "compressed upload bodies are not supported")
		return
	}
	if !precondition(r, it) {
		writeError(w, http.StatusPreconditionFailed, "resourceModified", "ETag does not match current item's value")
		return
	}
	behavior := r.URL.Query().Get("@microsoft.graph.conflictBehavior")
	if it != nil && behavior == "fail" {
		writeError(w, http.StatusConflict, "nameAlreadyExists", "The specified item name already exists.")
		return
	}
	if it != nil && it.folder {
		writeError(w, http.StatusConflict, "nameAlreadyExists", "A folder with this name exists.")
		return
	}
	if it == nil {
		if behavior == "rename" {
			p = s.freeName(p)
		}
	} else {
		p = it.path
	}
	nw, created := s.write(p, data)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.itemJSON(nw))
}

func (s *Server) freeName(p string) string {
	ext := path.Ext(p)
	base := strings.TrimSuffix(p, ext)
	for i := 1; ; i++ {
		cand := fmt.Sprintf("%s %d%s", base, i, ext)
		if _, ok := s.byPath[strings.ToLower(cand)]; !ok {
			return cand
		}
	}
}

// createSession answers POST …/createUploadSession (s.mu held).
func (s *Server) createSession(w http.ResponseWriter, r *http.Request, it *item, byPath bool, p string) {
	var body struct {
		Item map[string]any `json:"item"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil && err != io.EOF {
		writeError(w, http.StatusBadRequest, "invalidRequest", "bad JSON body")
		return
	}
	if !byPath {
		if it == nil {
			writeError(w, http.StatusNotFound, "itemNotFound", "The resource could not be found.")
			return
		}
		p = it.path
	}
	if !precondition(r, it) {
		writeError(w, http.StatusPreconditionFailed, "resourceModified", "ETag does not match current item's value")
		return
	}
	behavior, _ := body.Item["@microsoft.graph.conflictBehavior"].(string)
	if behavior == "" {
		behavior = "replace"
	}
	if it != nil && behavior == "fail" {
		writeError(w, http.StatusConflict, "nameAlreadyExists", "The specified item name already exists.")
		return
	}
	sess := &session{id: token(), token: token(), path: p, behavior: behavior, ifMatch: r.Header.Get("If-Match"), total: -1}
	s.sessions[sess.id] = sess
	writeJSON(w, http.StatusOK, map[string]any{
		"@odata.context":     s.BaseURL() + "/$metadata#microsoft.graph.uploadSession",
		"uploadUrl":          s.URL + "/upload/" + sess.id + "?tempauth=" + sess.token,
		"expirationDateTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"nextExpectedRanges": []string{"0-"},
	})
}

func (s *Server) sessionStatus(sess *session) map[string]any {
	return map[string]any{
		"expirationDateTime": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"nextExpectedRanges": []string{fmt.Sprintf("%d-", len(sess.data))},
	}
}

// serveUpload answers the pre-authenticated upload URL: PUT a fragment, GET
// the status, DELETE to cancel.
func (s *Server) serveUpload(w *recorder, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/upload/")
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok || r.URL.Query().Get("tempauth") != sess.token {
		writeError(w, http.StatusNotFound, "itemNotFound", "The upload session was not found.")
		return
	}
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, http.StatusOK, s.sessionStatus(sess))
	case http.MethodDelete:
		delete(s.sessions, id)
		s.cancelled++
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPut:
		s.putFragment(w, r, sess)
	default:
		writeError(w, http.StatusMethodNotAllowed, "invalidRequest", "method not allowed")
	}
}

func parseContentRange(h string) (start, end, total int64, ok bool) {
	h, found := strings.CutPrefix(h, "bytes ")
	if !found {
		return 0, 0, 0, false
	}
	rng, tot, found := strings.Cut(h, "/")
	if !found {
		return 0, 0, 0, false
	}
	a, b, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, 0, false
	}
	var err1, err2, err3 error
	start, err1 = strconv.ParseInt(a, 10, 64)
	end, err2 = strconv.ParseInt(b, 10, 64)
	total, err3 = strconv.ParseInt(tot, 10, 64)
	return start, end, total, err1 == nil && err2 == nil && err3 == nil && start <= end && end < total
}

// putFragment takes one fragment (s.mu held).
func (s *Server) putFragment(w *recorder, r *http.Request, sess *session) {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if s.failFragments != 0 {
		writeError(w, s.failFragments, "generalException", "An unspecified error has occurred.")
		return
	}
	start, end, total, ok := parseContentRange(r.Header.Get("Content-Range"))
	if !ok || int64(len(data)) != end-start+1 || (sess.total >= 0 && total != sess.total) {
		writeError(w, http.StatusBadRequest, "invalidRequest", "The Content-Range header is missing or malformed.")
		return
	}
	if start != int64(len(sess.data)) {
		writeError(w, http.StatusRequestedRangeNotSatisfiable, "invalidRange", "The uploaded fragment overlaps with data that has already been received.")
		return
	}
	final := end == total-1
	if !final && len(data)%chunkMultiple != 0 {
		writeError(w, http.StatusBadRequest, "invalidRequest", "Fragment size must be a multiple of 320 KiB.")
		return
	}
	sess.total = total
	sess.data = append(sess.data, data...)
	s.chunks = append(s.chunks, int64(len(data)))
	if !final {
		if s.loseChunkAcks > 0 {
			s.loseChunkAcks--
			drop(w, false)
			return
		}
		writeJSON(w, http.StatusAccepted, s.sessionStatus(sess))
		return
	}
	delete(s.sessions, sess.id)
	var cur *item
	if id, ok := s.byPath[strings.ToLower(sess.path)]; ok {
		cur = s.items[id]
	}
	if sess.ifMatch != "" && (cur == nil || (sess.ifMatch != etag(cur) && sess.ifMatch != ctag(cur))) {
		writeError(w, http.StatusPreconditionFailed, "resourceModified", "ETag does not match current item's value")
		return
	}
	if cur != nil && sess.behavior == "fail" {
		writeError(w, http.StatusConflict, "nameAlreadyExists", "The specified item name already exists.")
		return
	}
	p := sess.path
	if cur != nil && sess.behavior == "rename" {
		p = s.freeName(p)
	}
	nw, created := s.write(p, bytes.Clone(sess.data))
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, s.itemJSON(nw))
}

// drop closes the connection without (the rest of) a response. A flush
// first sends what was written; without one, no status line goes out at all.
func drop(w *recorder, flush bool) {
	rc := http.NewResponseController(w.ResponseWriter)
	if flush {
		_ = rc.Flush()
	}
	conn, _, err := rc.Hijack()
	if err == nil {
		_ = conn.Close()
	}
	w.status = statusDropped
}

// serveDownload answers the pre-authenticated download URL.
func (s *Server) serveDownload(w *recorder, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, "/download/")
	s.mu.Lock()
	tokID, ok := s.downloads[r.URL.Query().Get("tempauth")]
	it := s.items[id]
	dropNow := false
	if ok && it != nil && s.dropDownloads > 0 {
		s.dropDownloads--
		dropNow = true
	}
	var data []byte
	if it != nil {
		data = bytes.Clone(it.data)
	}
	s.mu.Unlock()
	if !ok || tokID != id || it == nil {
		writeError(w, http.StatusUnauthorized, "unauthenticated", "The download link is not valid.")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "invalidRequest", "method not allowed")
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	if dropNow {
		_, _ = w.Write(data[:len(data)/2])
		drop(w, true)
		return
	}
	_, _ = w.Write(data)
}
