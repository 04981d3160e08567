-- Number the body paragraphs of every numbered chapter: "2.3" is the third paragraph
-- of chapter 2. Numbers come from the document's structure, not from build order, so a
-- paragraph keeps its number when a later chapter changes. Each number is a visible
-- span with an id (p2.3) that readers and students can link to. It is printed with a
-- pilcrow, "¶2.3", so that it cannot be taken for section 2.3.
-- Top-level paragraphs are numbered, and a claim block (a Div with class "claim")
-- counts as one paragraph. Quotes, lists, tables and unnumbered chapters are not.

local chapter = 0
local count = 0
local numbering = false

local function mark(para)
  count = count + 1
  local label = chapter .. "." .. count
  local span = pandoc.Span({pandoc.Str("¶" .. label)}, pandoc.Attr("p" .. label, {"pnum"}))
  para.content:insert(1, span)
  para.content:insert(2, pandoc.Space())
  return para
end

function Pandoc(doc)
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(doc.blocks) do
    if block.t == "Header" and block.level == 1 then
      numbering = not block.classes:includes("unnumbered")
      if numbering then
        chapter = chapter + 1
        count = 0
      end
    elseif numbering and block.t == "Para" then
      block = mark(block)
    elseif numbering and block.t == "Div" and block.classes:includes("claim") then
      local first = block.content[1]
      if first and first.t == "Para" then
        block.content[1] = mark(first)
      end
    end
    blocks:insert(block)
  end
  doc.blocks = blocks
  return doc
end
