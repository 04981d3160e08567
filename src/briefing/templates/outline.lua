-- Parts of a chapter for screens. A part a reader can fold: a Div with the class "details" (`::: {.details}` in a
-- chapter), whose first paragraph is its title. On a screen (HTML, EPUB) it becomes
-- <details open="open"><summary>title</summary>…</details>: shown open, folded and
-- unfolded by click or keyboard with no script, its title announced as a button by a
-- screen reader. WeasyPrint lays both elements out as blocks (print shows all); Word
-- gets the title as a paragraph and the rest as it is.
local screens = { html = true, html5 = true, epub = true, epub3 = true }

function Div(div)
  -- A text for screens only (e.g. how to use a map whose boxes are links): not in Word,
  -- whose map is a picture; print hides it with its stylesheet (.screen-only).
  if div.classes:includes("screen-only") and not screens[FORMAT] then
    return {}
  end
  if not div.classes:includes("details") or not screens[FORMAT] then
    return nil
  end
  local first = div.content[1]
  if first == nil or (first.t ~= "Para" and first.t ~= "Plain") then
    return nil
  end
  local blocks = { pandoc.RawBlock("html", '<details open="open">'),
                   pandoc.RawBlock("html", "<summary>"), pandoc.Plain(first.content),
                   pandoc.RawBlock("html", "</summary>") }
  for i = 2, #div.content do
    blocks[#blocks + 1] = div.content[i]
  end
  blocks[#blocks + 1] = pandoc.RawBlock("html", "</details>")
  div.content = blocks
  return div
end
