package dev.jtune.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws a training run's loss curve as a PNG (headless Java2D): the training loss per logged step, and the evaluation
 * loss as points when there is one, with labelled axes.
 */
public final class LossCurvePlot {

    /** One point of a curve. */
    public record Point(double step, double loss) {}

    private static final int WIDTH = 800, HEIGHT = 480, LEFT = 70, RIGHT = 20, TOP = 40, BOTTOM = 50;

    private LossCurvePlot() {}

    /** Writes {@code png}; {@code eval} may be empty. */
    public static void write(Path png, String title, List<Point> train, List<Point> eval) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);

        double maxStep = 1, minLoss = Double.POSITIVE_INFINITY, maxLoss = Double.NEGATIVE_INFINITY;
        for (List<Point> curve : List.of(train, eval)) {
            for (Point p : curve) {
                if (!Double.isFinite(p.loss())) continue;
                maxStep = Math.max(maxStep, p.step());
                minLoss = Math.min(minLoss, p.loss());
                maxLoss = Math.max(maxLoss, p.loss());
            }
        }
        if (!(minLoss < maxLoss)) {
            minLoss = Double.isFinite(minLoss) ? minLoss - 1 : 0;
            maxLoss = minLoss + 2;
        }
        Axes axes = new Axes(maxStep, minLoss, maxLoss);

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        for (int i = 0; i <= 4; i++) {
            double loss = minLoss + (maxLoss - minLoss) * i / 4;
            int y = axes.y(loss);
            g.setColor(new Color(230, 230, 230));
            g.drawLine(LEFT + 1, y, WIDTH - RIGHT - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.2f", loss), 10, y + 4);
            double step = maxStep * i / 4;
            g.drawString(String.format(Locale.ROOT, "%.0f", step), axes.x(step) - 8, HEIGHT - BOTTOM + 18);
        }
        g.drawString("step", WIDTH / 2, HEIGHT - 12);
        g.drawString("loss", 10, TOP - 8);

        g.setStroke(new BasicStroke(2f));
        g.setColor(new Color(31, 119, 180));
        for (int i = 1; i < train.size(); i++) {
            Point a = train.get(i - 1), b = train.get(i);
            if (Double.isFinite(a.loss()) && Double.isFinite(b.loss())) {
                g.drawLine(axes.x(a.step()), axes.y(a.loss()), axes.x(b.step()), axes.y(b.loss()));
            }
        }
        g.setColor(new Color(214, 39, 40));
        for (Point p : eval) {
            if (Double.isFinite(p.loss())) g.fillOval(axes.x(p.step()) - 4, axes.y(p.loss()) - 4, 8, 8);
        }
        g.setColor(new Color(31, 119, 180));
        g.drawLine(WIDTH - 200, TOP + 15, WIDTH - 180, TOP + 15);
        g.setColor(Color.BLACK);
        g.drawString("training loss", WIDTH - 175, TOP + 19);
        if (!eval.isEmpty()) {
            g.setColor(new Color(214, 39, 40));
            g.fillOval(WIDTH - 194, TOP + 29, 8, 8);
            g.setColor(Color.BLACK);
            g.drawString("eval loss", WIDTH - 175, TOP + 37);
        }
        g.dispose();
        ImageIO.write(image, "png", png.toFile());
    }

    private record Axes(double maxStep, double minLoss, double maxLoss) {
        int x(double step) {
            return LEFT + (int) Math.round(step / maxStep * (WIDTH - LEFT - RIGHT));
        }

        int y(double loss) {
            return TOP + (int) Math.round((maxLoss - loss) / (maxLoss - minLoss) * (HEIGHT - TOP - BOTTOM));
        }
    }
}
