package sftpfake

import (
	"bytes"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/pkg/sftp"
)

// view is one session's read-only tree: the partition's published files and
// the folders that hold them. Paths arrive cleaned and absolute from the
// request server ("/", "/cdr/2026/01/02/..."): ".." cannot climb above "/",
// which is the partition's folder.
type view struct {
	feed        Feed
	partition   string
	allowDelete bool
}

// entry is a file or folder of the view.
type entry struct {
	name    string
	size    int64
	dir     bool
	modTime time.Time
}

func (e *entry) Name() string { return e.name }
func (e *entry) Size() int64  { return e.size }
func (e *entry) Mode() os.FileMode {
	if e.dir {
		return os.ModeDir | 0o555
	}
	return 0o444
}
func (e *entry) ModTime() time.Time { return e.modTime }
func (e *entry) IsDir() bool        { return e.dir }
func (e *entry) Sys() any           { return nil }

// tree is the view at one instant: every path -> its entry, and each
// folder's children.
type tree struct {
	entries  map[string]*entry
	children map[string][]string
}

func (v *view) tree() (*tree, error) {
	files, err := v.feed.FeedFiles(v.partition)
	if err != nil {
		return nil, sftp.ErrSSHFxFailure
	}
	t := &tree{entries: map[string]*entry{}, children: map[string][]string{}}
	var epoch time.Time
	if len(files) > 0 {
		epoch = files[0].ModTime
	}
	t.entries["/"] = &entry{name: "/", dir: true, modTime: epoch}
	t.addDir("/cdr", epoch)
	for _, f := range files {
		dir := path.Dir(f.Path)
		t.addDir(dir, f.ModTime)
		t.entries[f.Path] = &entry{name: path.Base(f.Path), size: f.Size, modTime: f.ModTime}
		t.children[dir] = append(t.children[dir], f.Path)
	}
	for dir := range t.children {
		slices.Sort(t.children[dir])
	}
	return t, nil
}

// addDir adds a folder and its parents; a folder's time is its newest file's.
func (t *tree) addDir(dir string, mod time.Time) {
	for dir != "/" {
		if e, ok := t.entries[dir]; ok {
			if mod.After(e.modTime) {
				e.modTime = mod
			}
		} else {
			t.entries[dir] = &entry{name: path.Base(dir), dir: true, modTime: mod}
			parent := path.Dir(dir)
			t.children[parent] = append(t.children[parent], dir)
		}
		dir = path.Dir(dir)
	}
	if mod.After(t.entries["/"].modTime) {
		t.entries["/"].modTime = mod
	}
}

// clean makes any path absolute and free of "..": a request server cleans
// paths already, this keeps the view safe on its own.
func clean(p string) string { return path.Clean("/" + strings.TrimPrefix(p, "/")) }

// Fileread serves downloads.
func (v *view) Fileread(r *sftp.Request) (io.ReaderAt, error) {
	if r.Method != "Get" {
		return nil, sftp.ErrSSHFxOpUnsupported
	}
	_, data, err := v.feed.FeedFileData(v.partition, clean(r.Filepath))
	if err != nil {
		return nil, sftp.ErrSSHFxNoSuchFile
	}
	return bytes.NewReader(data), nil
}

// Filewrite refuses every upload: the feed is read-only.
func (v *view) Filewrite(*sftp.Request) (io.WriterAt, error) {
	return nil, sftp.ErrSSHFxPermissionDenied
}

// Filecmd refuses every change, except Remove when deletes are allowed.
func (v *view) Filecmd(r *sftp.Request) error {
	if r.Method != "Remove" || !v.allowDelete {
		return sftp.ErrSSHFxPermissionDenied
	}
	if err := v.feed.DeleteFeedFile(v.partition, clean(r.Filepath)); err != nil {
		return sftp.ErrSSHFxNoSuchFile
	}
	return nil
}

// Filelist serves List, Stat and Readlink.
func (v *view) Filelist(r *sftp.Request) (sftp.ListerAt, error) {
	t, err := v.tree()
	if err != nil {
		return nil, err
	}
	p := clean(r.Filepath)
	e, ok := t.entries[p]
	if !ok {
		return nil, sftp.ErrSSHFxNoSuchFile
	}
	switch r.Method {
	case "List":
		if !e.dir {
			return lister{e}, nil
		}
		kids := t.children[p]
		out := make(lister, 0, len(kids))
		for _, k := range kids {
			out = append(out, t.entries[k])
		}
		return out, nil
	case "Stat":
		return lister{e}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported
}

type lister []os.FileInfo

func (l lister) ListAt(out []os.FileInfo, offset int64) (int, error) {
	if offset >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[offset:])
	if offset+int64(n) >= int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}
