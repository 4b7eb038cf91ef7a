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
	"sync"

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
	strips        sync.Pool  // of *image.RGBA, a line's coverage, clear
	buffers       bufferPool // the PNG encoder's
}

// bufferPool lets PNG encoders share their buffers.
type bufferPool struct{ sync.Pool }

func (p *bufferPool) Get() *png.EncoderBuffer {
	b, _ := p.Pool.Get().(*png.EncoderBuffer)
	return b
}

func (p *bufferPool) Put(b *png.EncoderBuffer) { p.Pool.Put(b) }

// NewDrawer parses the fonts. The fonts are part of the binary: it
// panics if they do not parse, which every test of this package would
// show.
func NewDrawer() *Drawer {
	d := &Drawer{bold: parse(gobold.TTF), regular: parse(goregular.TTF)}
	d.strips.New = func() any { return image.NewRGBA(image.Rect(0, 0, Size.X-2*margin, 100)) }
	return d
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
	// Shades of ink over paper, for the text's coverage, and the accent.
	pal := make(color.Palette, levels+1)
	for i := range levels {
		pal[i] = mix(paper, ink, i, levels-1)
	}
	pal[levels] = accent
	img := image.NewPaletted(image.Rectangle{Max: Size}, pal)
	for y := margin; y < margin+barHeight; y++ {
		row := img.Pix[y*img.Stride:]
		for x := margin; x < margin+160; x++ {
			row[x] = levels
		}
	}
	strip := d.strips.Get().(*image.RGBA)
	defer d.strips.Put(strip)
	line := func(face font.Face, s string, y int) { drawLine(img, strip, face, s, y) }

	width := Size.X - 2*margin
	y := margin + barHeight + 24
	small := d.face(d.bold, 30)
	y += 30
	line(small, clipTo(small, strings.ToUpper(c.Site), width), y)
	if c.Kicker != "" {
		y += 46
		line(small, clipTo(small, c.Kicker, width), y)
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
			line(face, l, ty)
		}
		break
	}
	if c.Detail != "" {
		face := d.face(d.regular, 38)
		line(face, clipTo(face, c.Detail, width), Size.Y-margin)
	}

	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed, BufferPool: &d.buffers}
	enc.Encode(&buf, img) // cannot fail: the image is valid, the buffer grows
	return buf.Bytes()
}

// drawLine draws s in face on img with its baseline at y, from the left
// margin: its coverage is drawn in the alpha of strip, which lets the
// glyphs take image/draw's fast path, then turned into shades of ink.
// It leaves strip clear.
func drawLine(img *image.Paletted, strip *image.RGBA, face font.Face, s string, y int) {
	m := face.Metrics()
	top := y - m.Ascent.Ceil()
	h := min(m.Ascent.Ceil()+m.Descent.Ceil(), strip.Rect.Dy())
	dr := font.Drawer{Dst: strip, Src: image.Opaque, Face: face, Dot: fixed.P(0, m.Ascent.Ceil())}
	dr.DrawString(s)
	w := strip.Rect.Dx() // all of it: a glyph may reach past the advance
	for sy := range h {
		if top+sy < 0 || top+sy >= Size.Y {
			continue
		}
		src := strip.Pix[sy*strip.Stride : sy*strip.Stride+4*w]
		dst := img.Pix[(top+sy)*img.Stride+margin:]
		for x := range w {
			if a := int(src[4*x+3]); a > 0 {
				dst[x] = uint8((a*(levels-1) + 127) / 255)
				clear(src[4*x : 4*x+4])
			}
		}
	}
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
