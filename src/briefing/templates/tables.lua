-- Header cells say what they head, so that a screen reader announces each data cell with
-- its column header and, in a table with the class "row-headers" (`: Caption {#tbl-x
-- .row-headers}`), with its row header too: the first cell of every body row becomes a
-- <th scope="row"> (WCAG 1.3.1; PDF/UA TH /Scope /Row).
function Table(t)
  for _, row in ipairs(t.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.attributes.scope = "col"
    end
  end
  if t.classes:includes("row-headers") then
    for _, body in ipairs(t.bodies) do
      body.row_head_columns = 1
      for _, row in ipairs(body.body) do
        if #row.cells > 0 then
          row.cells[1].attributes.scope = "row"
        end
      end
    end
  end
  return t
end

-- On a screen a table wider than a phone scrolls inside its own box, not the page: a
-- region named after the table's caption that the keyboard can focus and scroll (WCAG
-- 1.4.10 reflow, 2.1.1 keyboard). Print lays tables out in full (print.css).
local function caption_text(t)
  return pandoc.utils.stringify(t.caption.long)
end

local wrap = FORMAT:match("html") or FORMAT:match("epub")

function Blocks(blocks)
  if not wrap then
    return nil
  end
  local out = pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    if block.t == "Table" then
      -- A list of pairs, not a table with keys: Lua's key order would change the bytes.
      local attributes = {{"tabindex", "0"}}
      local name = caption_text(block)
      if name ~= "" then
        table.insert(attributes, {"role", "region"})
        table.insert(attributes, {"aria-label", name})
      end
      out:insert(pandoc.Div({block}, pandoc.Attr("", {"table-scroll"}, attributes)))
    else
      out:insert(block)
    end
  end
  return out
end
