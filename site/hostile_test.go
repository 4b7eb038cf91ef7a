package site_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// diskProject writes the basic fixture to a new directory, with edit
// applied to it there, and returns the directory.
func diskProject(t *testing.T, edit func(dir string)) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "project")
	if err := os.CopyFS(dir, sitetest.Project(t, "testdata/build/basic.txtar")); err != nil {
		t.Fatal(err)
	}
	edit(dir)
	return dir
}

// buildDir builds the project in dir as the command line does, through
// site.DirFS, and fails the test if that takes over 20 s: a read that
// blocks would otherwise hang the test run.
func buildDir(t *testing.T, dir string) (*site.Output, error) {
	t.Helper()
	src, err := site.DirFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		out *site.Output
		err error
	}
	done := make(chan result, 1)
	go func() {
		out, err := site.Build(context.Background(), src, site.Options{})
		done <- result{out, err}
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-time.After(20 * time.Second):
		t.Fatal("the build has not ended after 20 s")
		return nil, nil
	}
}

// wantError builds dir and wants it to fail with an error at pos (a
// "file:line:col" prefix) that says want.
func wantError(t *testing.T, dir, pos, want string) {
	t.Helper()
	_, err := buildDir(t, dir)
	var list site.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("build: %v, want an error list", err)
	}
	for _, e := range list.Errors() {
		if strings.HasPrefix(e.Error(), pos) && strings.Contains(e.Error(), want) {
			return
		}
	}
	t.Errorf("no error at %s saying %q in:\n%v", pos, want, err)
}

// TestHostileFiles builds projects holding files that must not be read
// as they stand: each is an error naming the file, and no build blocks.
func TestHostileFiles(t *testing.T) {
	const section = "---\ntitle: A question?\n---\n\nSecret words.\n"
	// A named pipe where a section, a static file or a template override
	// would be: reading it would block.
	for name, pipe := range map[string]string{
		"fifo":                           "content/sections/02-pipe.md",
		"fifo in static":                 "static/pipe.txt",
		"a template that cannot be read": "templates/base.tmpl",
	} {
		t.Run(name, func(t *testing.T) {
			dir := diskProject(t, func(dir string) {
				os.MkdirAll(filepath.Join(dir, filepath.Dir(pipe)), 0o755)
				if err := syscall.Mkfifo(filepath.Join(dir, pipe), 0o644); err != nil {
					t.Skip("no named pipes here:", err)
				}
			})
			wantError(t, dir, pipe+":1:1:", "cannot read: a named pipe")
		})
	}
	t.Run("symlink out of the project", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret.md")
		if err := os.WriteFile(outside, []byte(section), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := diskProject(t, func(dir string) {
			if err := os.Symlink(outside, filepath.Join(dir, "content/sections/02-leak.md")); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/sections/02-leak.md:1:1:", "outside the project")
	})
	t.Run("symlinked folder out of the project", func(t *testing.T) {
		outside := t.TempDir()
		if err := os.WriteFile(filepath.Join(outside, "02-leak.md"), []byte(section), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := diskProject(t, func(dir string) {
			os.RemoveAll(filepath.Join(dir, "content/sections"))
			if err := os.Symlink(outside, filepath.Join(dir, "content/sections")); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/sections:1:1:", "outside the project")
	})
	t.Run("symlink inside the project", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "kept.md"), []byte(section), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("../../kept.md", filepath.Join(dir, "content/sections/02-linked.md")); err != nil {
				t.Fatal(err)
			}
		})
		out, err := buildDir(t, dir)
		if err != nil {
			t.Fatalf("a link within the project: %v", err)
		}
		if data, ok := out.File("sections/linked/index.html"); !ok || !bytes.Contains(data, []byte("Secret words.")) {
			t.Errorf("the linked section is not built")
		}
	})
	t.Run("symlink loop", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			if err := os.Symlink("02-loop.md", filepath.Join(dir, "content/sections/02-loop.md")); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/sections/02-loop.md:1:1:", "cannot read")
	})
	t.Run("over the size limit", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			f, err := os.Create(filepath.Join(dir, "content/sections/02-big.md"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(100 << 20); err != nil { // sparse: 100 MB that take no disk
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/sections/02-big.md:1:1:", "at most 1 MiB")
	})
	t.Run("static over its limit", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			os.MkdirAll(filepath.Join(dir, "static"), 0o755)
			if err := os.WriteFile(filepath.Join(dir, "static/plan.pdf"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(filepath.Join(dir, "static/plan.pdf"), 65<<20); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "static/plan.pdf:1:1:", "at most 64 MiB")
	})
	t.Run("Markdown over its limit", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			body := strings.Repeat("A long paragraph of words.\n", 6000) // 162 KB
			if err := os.WriteFile(filepath.Join(dir, "content/sections/02-long.md"), []byte("---\ntitle: Long?\n---\n\n"+body), 0o644); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/sections/02-long.md:4:1:", "at most 128 KiB")
	})
	t.Run("static symlink out of the project", func(t *testing.T) {
		outside := filepath.Join(t.TempDir(), "secret.txt")
		if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
			t.Fatal(err)
		}
		dir := diskProject(t, func(dir string) {
			os.MkdirAll(filepath.Join(dir, "static"), 0o755)
			if err := os.Symlink(outside, filepath.Join(dir, "static/secret.txt")); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "static/secret.txt:1:1:", "outside the project")
	})
	t.Run("a folder that links to itself", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			if err := os.Symlink(".", filepath.Join(dir, "content/sections/loop")); err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(dir, "static"), 0o755)
			if err := os.Symlink(".", filepath.Join(dir, "static/loop")); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "static/loop:1:1:", "a symbolic link to a directory")
	})
	t.Run("a folder named as a section", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			if err := os.Mkdir(filepath.Join(dir, "content/topics.yaml.d"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(dir, "content/topics.yaml"))
			if err := os.Mkdir(filepath.Join(dir, "content/topics.yaml"), 0o755); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/topics.yaml:1:1:", "a directory, not a file")
	})
	t.Run("a socket", func(t *testing.T) {
		dir := diskProject(t, func(string) {})
		// A socket's path is short: listen in the folder itself.
		wd, _ := os.Getwd()
		if err := os.Chdir(filepath.Join(dir, "content/sections")); err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("unix", "02-socket.md")
		os.Chdir(wd)
		if err != nil {
			t.Skip("no unix sockets here:", err)
		}
		defer ln.Close()
		wantError(t, dir, "content/sections/02-socket.md:1:1:", "a socket")
	})
	t.Run("unreadable", func(t *testing.T) {
		if os.Geteuid() == 0 {
			t.Skip("root reads any file")
		}
		dir := diskProject(t, func(dir string) {
			if err := os.Chmod(filepath.Join(dir, "content/topics.yaml"), 0); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/topics.yaml:1:1:", "permission denied")
	})
	t.Run("2 GB of YAML", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			if err := os.Truncate(filepath.Join(dir, "content/topics.yaml"), 2<<30); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/topics.yaml:1:1:", "the file holds 2.0 GiB; a project file may hold at most 1 MiB")
		// Alone: the topics it would have declared are not reported
		// unknown everywhere.
		_, err := buildDir(t, dir)
		var list site.ErrorList
		if errors.As(err, &list) && len(list.Errors()) != 1 {
			t.Errorf("%d errors, want the one:\n%v", len(list.Errors()), err)
		}
	})
	t.Run("a 1 MB scalar", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			f, err := os.OpenFile(filepath.Join(dir, "content/sources.yaml"), os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.WriteString("- {id: big, title: Big, publisher: P, url: \"https://e.org/\", note: \"" + strings.Repeat("a", 1<<20) + "\"}\n")
		})
		wantError(t, dir, "content/sources.yaml:1:1:", "at most 1 MiB")
	})
	t.Run("a Markdown field over its limit", func(t *testing.T) {
		line := 0 // where the long note is
		dir := diskProject(t, func(dir string) {
			data, err := os.ReadFile(filepath.Join(dir, "content/sources.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			line = bytes.Count(data, []byte("\n")) + 1
			data = append(data, "- {id: long, title: Long, publisher: P, url: \"https://e.org/\", note: \""+strings.Repeat("a ", 100<<10)+"\"}\n"...)
			if err := os.WriteFile(filepath.Join(dir, "content/sources.yaml"), data, 0o644); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, fmt.Sprintf("content/sources.yaml:%d:", line), "a text may hold at most 128 KiB")
	})
	t.Run("invalid UTF-8", func(t *testing.T) {
		dir := diskProject(t, func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "content/sections/02-bytes.md"), []byte("---\ntitle: Bytes?\n---\n\nGood words,\nthen ab\xff\xfecd.\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		})
		wantError(t, dir, "content/sections/02-bytes.md:6:8:", "invalid UTF-8: byte 0xff")
	})
}

// TestDirFSNoEscape: DirFS opens nothing outside its directory, whatever
// the name.
func TestDirFSNoEscape(t *testing.T) {
	dir := diskProject(t, func(string) {})
	src, err := site.DirFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"../project/content/_index.md", "/etc/passwd", "content/../../x", "content/\x00", ""} {
		if f, err := src.Open(name); err == nil {
			f.Close()
			t.Errorf("Open(%q) succeeded", name)
		}
	}
	if _, err := fs.ReadFile(src, "content/_index.md"); err != nil {
		t.Errorf("a file of the project: %v", err)
	}
}

// TestHostileText builds the basic fixture with titles written to break
// out of every context a title reaches (the title element, headings,
// meta and attribute values, the JSON export, the feed, the search
// index, template syntax) and checks that each stays text.
func TestHostileText(t *testing.T) {
	const (
		evil     = `</title><script>x</script>"'` + "`" + `{{.}}`
		evilYAML = `"</title><script>x</script>\"'` + "`" + `{{.}}"`
	)
	clean := sitetest.Project(t, "testdata/build/basic.txtar")
	src := sitetest.Project(t, "testdata/build/basic.txtar")
	edit := func(name, old, new string) {
		data := string(src[name].Data)
		if !strings.Contains(data, old) {
			t.Fatalf("%s has no %q", name, old)
		}
		src[name].Data = []byte(strings.Replace(data, old, new, 1))
	}
	edit("content/_index.md", "title: The harbour deal, explained", "title: "+evilYAML)
	edit("content/sections/01-first-draft.md", "title: What was in the first draft?", "title: "+evilYAML)
	edit("content/documents/draft-a.yaml", "title: First harbour draft", "title: "+evilYAML)
	edit("content/documents/draft-a.yaml", "    title: Mooring fee", "    title: "+evilYAML)
	opts := site.Options{BaseURL: "https://example.org/deal"}
	want, err := site.Build(context.Background(), clean, opts)
	if err != nil {
		t.Fatal(err)
	}
	out, err := site.Build(context.Background(), src, opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range out.Names() {
		data, _ := out.File(name)
		switch path.Ext(name) {
		case ".html":
			cleanData, _ := want.File(name)
			if strings.Contains(string(data), "<script>x") || strings.Count(string(data), "<script") != strings.Count(string(cleanData), "<script") {
				t.Errorf("%s: a title broke out into a script element", name)
			}
			if strings.Count(string(data), "</title>") != strings.Count(string(cleanData), "</title>") {
				t.Errorf("%s: a title closed the title element", name)
			}
		case ".json":
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		case ".xml":
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("%s: %v", name, err)
					break
				}
			}
		}
	}
	home, _ := out.File("index.html")
	if !strings.Contains(string(home), "{{.}}") || !strings.Contains(string(home), "&lt;/title&gt;&lt;script&gt;x&lt;/script&gt;") {
		t.Errorf("the home page does not show the title as text")
	}
	// The home page's JSON-LD holds the title encoded: nothing in it can
	// end its script element.
	if !strings.Contains(string(home), `"headline":"\u003c/title\u003e\u003cscript\u003ex\u003c/script\u003e`) {
		t.Errorf("the home page's JSON-LD does not hold the title encoded")
	}
	var export struct{ Title string }
	data, _ := out.File("data/explainer.json")
	if err := json.Unmarshal(data, &export); err != nil || export.Title != evil {
		t.Errorf("data/explainer.json's title is %q (%v), want %q", export.Title, err, evil)
	}
}
