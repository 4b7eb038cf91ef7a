package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/explainer/explainer/site/internal/card"
	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
)

// cardVersion names the look of the cards: change it when card.PNG draws
// differently, so that no cache serves an old card.
const cardVersion = "1"

// cardOf is what the social card of the page of data says: the
// kind of page, its title, and its figure, fate or tally where it has one.
func (b *build) cardOf(data *pageData) card.Card {
	c := card.Card{Site: b.p.Explainer.Title, Title: data.Title}
	switch data.Kind {
	case "home":
		c.Kicker, c.Title = "Explainer", or(b.p.Explainer.Title, "Explainer")
		c.Site = ""
		if d := b.p.Explainer.Updated; d != "" {
			c.Detail = "Updated " + dates.Format(d)
		}
	case "section":
		c.Kicker = "Explainer"
	case "document":
		d := data.Document
		c.Kicker = "Document · " + dates.Format(d.Date)
		c.Detail = plural(len(d.Clauses), "point")
	case "changes":
		c.Kicker = data.Document.Short
		var parts []string
		for _, n := range b.tally(data.Document) {
			parts = append(parts, strconv.Itoa(n.N)+" "+strings.ToLower(lineage.Label(n.Outcome)))
		}
		c.Detail = strings.Join(parts, " · ")
	case "clause":
		cl := data.Clause
		c.Title = cl.Title
		c.Kicker = cl.Doc.Short
		if cl.Number != "" {
			c.Kicker = "Point " + cl.Number + " · " + cl.Doc.Short
		}
		var detail []string
		if f := b.ln.Backward[cl]; len(f) > 0 && f[0].Old != nil {
			detail = append(detail, lineage.Label(f[0].Outcome)+" from "+f[0].Old.Doc.Short)
		}
		metric := func(id string) bool { x := b.ix.Topics[id]; return x != nil && x.Metric != nil }
		for _, t := range cl.Topics {
			if f := model.FigureOn(cl, t.ID, metric); f != nil {
				m := b.ix.Topics[t.ID].Metric
				name := m.Name
				if cl.Doc.Availability == "reported" {
					name += ", as reported"
				}
				detail = append(detail, name+": "+figureText(f)+" "+m.Unit)
				break
			}
		}
		c.Detail = strings.Join(detail, " · ")
	case "topic":
		c.Kicker = "Topic"
	case "actor":
		c.Kicker = "Actor"
	}
	return c
}

// cardName is the output file of a card: named by what it says, so that
// a cache never serves a stale one and pages with the same card share it.
func cardName(c card.Card) string {
	h := sha256.New()
	for _, s := range []string{cardVersion, c.Site, c.Kicker, c.Title, c.Detail} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return "cards/" + hex.EncodeToString(h.Sum(nil)[:8]) + ".png"
}

// cardURL returns the absolute URL of the page's card, "" when it has
// none: without a base URL there is no absolute URL to give, and the 404
// page stands for no page.
func (b *build) cardURL(data *pageData) string {
	if b.site.BaseURL == "" || data.Kind == "404" || b.ln == nil { // no lineage: Check renders no page
		return ""
	}
	return b.site.BaseURL + "/" + cardName(b.cardOf(data))
}

// cards returns the cards of the site's pages by output file, each once.
// It reads the page table, which rendering writes to: call it before.
func (b *build) cards() map[string]card.Card {
	out := map[string]card.Card{}
	for _, j := range b.jobs {
		if j.data.Card != "" {
			c := b.cardOf(j.data)
			out[cardName(c)] = c
		}
	}
	return out
}

// maxCardSize is the most a card in the cache may hold: a drawn card
// takes about 40 KB.
const maxCardSize = 1 << 20

// cached returns the card named from the card cache
// (Options.CardCache), if it holds it.
func (b *build) cached(name string) ([]byte, bool) {
	if b.opts.CardCache == "" {
		return nil, false
	}
	data, err := model.ReadOSFile(filepath.Join(b.opts.CardCache, strings.TrimPrefix(name, "cards/")), maxCardSize)
	return data, err == nil
}

// drawCards draws the cards named, on all cores, and puts them in the
// card cache; it draws no more once ctx is done.
func (b *build) drawCards(ctx context.Context, names []string, cards map[string]card.Card) [][]byte {
	out := make([][]byte, len(names))
	drawer := b.drawer()
	parallel.Do(len(names), 1, func(i int, _ *bytes.Buffer) {
		if ctx.Err() != nil {
			return
		}
		out[i] = drawer.PNG(cards[names[i]])
		if b.opts.CardCache != "" {
			keep(filepath.Join(b.opts.CardCache, strings.TrimPrefix(names[i], "cards/")), out[i])
		}
	})
	return out
}

// keep puts data in the card cache as the file name, written whole or
// not at all. It does its best: a cache that cannot be written only
// costs time.
func keep(name string, data []byte) {
	if os.MkdirAll(filepath.Dir(name), 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".card-*")
	if err != nil {
		return
	}
	_, err = f.Write(data)
	if err = errors.Join(err, f.Close()); err == nil {
		err = os.Rename(f.Name(), name)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}
