// Package card draws a page's social card: the 1200×630 PNG that link
// previews on social networks and in chat apps show. A card has the
// explainer's name, the page's title and, where the page has one, a
// detail line: a figure, a fate, a tally. It is drawn in Go with the Go
// fonts (an open font family, BSD-licensed, embedded in the binary), in
// seventeen colours, so that it encodes fast and small.
package card

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Size is the size of a card, in pixels: the one Open Graph and X
// recommend for a large preview.
var Size = image.Pt(1200, 630)

// A Card is what one page's card says.
type Card struct {
	Site   string // the explainer's name, at the top
	Kicker string // the kind of page, in capitals above the title: "Point 6 · 28-point draft"
	Title  string
	Detail string // a line under the title; "" for none
}

// A Drawer draws cards. It holds the parsed fonts, which it only reads,
// and is safe for concurrent use.
type Drawer struct {
	bold, regular *opentype.Font
}

// NewDrawer parses the fonts. The fonts are part of the binary: it
// panics if they do not parse, which every test of this package would
// show.
func NewDrawer() *Drawer {
	return &Drawer{bold: parse(gobold.TTF), regular: parse(goregular.TTF)}
}

func parse(ttf []byte) *opentype.Font {
	f, err := opentype.Parse(ttf)
	if err != nil {
		panic("card: the embedded font does not parse: " + err.Error())
	}
	return f
}

// The card's colours: paper, ink and the accent of the site's theme.
var (
	paper  = color.RGBA{0xfb, 0xfa, 0xf7, 0xff}
	ink    = color.RGBA{0x1a, 0x1a, 0x1a, 0xff}
	accent = color.RGBA{0xa3, 0x17, 0x1f, 0xff}
)

// levels is how many shades of ink between paper and ink the palette
// has; the last colour of the palette is the accent.
const levels = 16

// Layout, in pixels.
const (
	margin    = 72
	barHeight = 14
)

// PNG draws c as a PNG.
func (d *Drawer) PNG(c Card) []byte {
	cover := image.NewRGBA(image.Rectangle{Max: Size})
	width := Size.X - 2*margin

	y := margin + barHeight + 24
	small := d.face(d.bold, 30)
	y += 30
	drawLine(cover, small, clipTo(small, strings.ToUpper(c.Site), width), margin, y)
	if c.Kicker != "" {
		y += 46
		drawLine(cover, small, clipTo(small, c.Kicker, width), margin, y)
	}

	// The title, as large as lets it fit in four lines.
	detailH := 0
	if c.Detail != "" {
		detailH = 90
	}
	room := Size.Y - margin - detailH - (y + 40)
	for _, size := range []float64{72, 64, 56, 48, 42} {
		face := d.face(d.bold, size)
		lineH := int(size * 1.18)
		lines := wrap(face, c.Title, width)
		last := size == 42
		if len(lines)*lineH > room && !last {
			continue
		}
		if max := room / lineH; len(lines) > max {
			lines = lines[:max]
			lines[max-1] = clipTo(face, lines[max-1]+" …", width)
		}
		ty := y + 40
		for _, l := range lines {
			ty += lineH
			drawLine(cover, face, l, margin, ty)
		}
		break
	}
	if c.Detail != "" {
		face := d.face(d.regular, 38)
		drawLine(cover, face, clipTo(face, c.Detail, width), margin, Size.Y-margin)
	}

	// Shades of ink over paper, from the coverage, and
	// the accent bar.
	pal := make(color.Palette, levels+1)
	for i := range levels {
		pal[i] = mix(paper, ink, i, levels-1)
	}
	pal[levels] = accent
	img := image.NewPaletted(image.Rectangle{Max: Size}, pal)
	for i := range img.Pix {
		a := int(cover.Pix[4*i+3])
		img.Pix[i] = uint8((a*(levels-1) + 127) / 255)
	}
	for y := margin; y < margin+barHeight; y++ {
		row := img.Pix[y*img.Stride:]
		for x := margin; x < margin+160; x++ {
			row[x] = levels
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	enc.Encode(&buf, img) // cannot fail: the image is valid, the buffer grows
	return buf.Bytes()
}

// face returns a face of f at size pixels. Faces hold scratch space:
// each card makes its own, which lets cards be drawn at once.
func (d *Drawer) face(f *opentype.Font, size float64) font.Face {
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		panic("card: " + err.Error()) // only for a size of 0 or less
	}
	return face
}

// drawLine draws s in face with its baseline at y, from x, as coverage
// in dst's alpha.
func drawLine(dst *image.RGBA, face font.Face, s string, x, y int) {
	dr := font.Drawer{Dst: dst, Src: image.Opaque, Face: face, Dot: fixed.P(x, y)}
	dr.DrawString(s)
}

// wrap breaks s into lines at most width pixels wide, at spaces.
func wrap(face font.Face, s string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && font.MeasureString(face, try).Ceil() > width {
			lines = append(lines, line)
			try = w
		}
		line = try
	}
	if line != "" {
		lines = append(lines, clipTo(face, line, width))
	}
	return lines
}

// clipTo shortens s, ending it in "…", until it is at most width pixels
// wide.
func clipTo(face font.Face, s string, width int) string {
	if font.MeasureString(face, s).Ceil() <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && font.MeasureString(face, string(r)+"…").Ceil() > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// mix is the colour i/n of the way from a to b.
func mix(a, b color.RGBA, i, n int) color.RGBA {
	m := func(x, y uint8) uint8 { return uint8((int(x)*(n-i) + int(y)*i + n/2) / n) }
	return color.RGBA{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B), 0xff}
}
